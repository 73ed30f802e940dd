#!/usr/bin/env python3
"""Prints Benchmarks/run.sh's results.json as the Markdown table of BENCHMARKS.md.

    python3 Benchmarks/table.py RESULTS.json
"""
import json
import sys


def fmt(value, spec):
    return format(value, spec) if value is not None else "–"


def main(path):
    results = json.load(open(path))
    print(f"Medians of {results['runs']} runs (wall), mean user+system CPU (children included); "
          f"load average at the end: {results['machine']['load']}.\n")
    print("| scenario | apps | ours wall ms | baseline wall ms | ratio (wall) | ours CPU ms | baseline CPU ms "
          "| ratio (CPU) | our peak RSS MB | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    sizes = []
    for r in results["rows"]:
        if r["scenario"] == "6 sizes":
            sizes.append(r)
            continue
        cpu_ratio = r["ours_cpu_ms"] / r["base_cpu_ms"] if r.get("ours_cpu_ms") and r.get("base_cpu_ms") else None
        print(f"| {r['scenario']} | {r['apps']:,} | {fmt(r['ours_ms'], '.1f')} | {fmt(r['base_ms'], '.1f')} "
              f"| {fmt(r['ratio'], '.1f')}× | {fmt(r.get('ours_cpu_ms'), '.1f')} | {fmt(r.get('base_cpu_ms'), '.1f')} "
              f"| {fmt(cpu_ratio, '.1f')}× | {fmt(r['peak_mb'], '.0f')} | {r['target']} |")
    if sizes:
        print("\n| apps | status note | applied-state blob | the reconcile pass that wrote them (wall) | its peak RSS |")
        print("|---:|---:|---:|---:|---:|")
        for r in sizes:
            print(f"| {r['apps']:,} | {r['note_bytes'] / 1e6:.2f} MB | {r['state_bytes'] / 1e6:.2f} MB "
                  f"| {r['pass_s']:.1f} s | {r['pass_peak_mb']:.0f} MB |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
