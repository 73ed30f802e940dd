#!/usr/bin/env python3
"""Plots `innominatus plan` time against the number of apps from Benchmarks/run.sh's results.json:
cold plan (no applied state), plan after one Score changed, plan after a platform workflow changed,
and `git ls-tree -r HEAD` on the same repositories, as a PNG.

    python3 Benchmarks/plot.py RESULTS.json OUT.png [BEFORE.json]

With BEFORE.json (an earlier run, e.g. of another binary with BIN=), its one-Score plan is drawn dotted
beside the run's own, for a before/after comparison.

Needs matplotlib; installs Debian's python3-matplotlib with apt-get when it is missing.
"""
import json
import subprocess
import sys

try:
    import matplotlib
except ImportError:
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", "python3-matplotlib"], check=True, stdout=subprocess.DEVNULL)
    import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SERIES = [("4 cold plan", "plan, cold (no applied state)", "o-"),
          ("2 one Score changed", "plan, one Score changed", "s-"),
          ("3 platform workflow changed", "plan, a platform workflow changed", "^-")]


def main(results_path, out_path, before_path=None):
    results = json.load(open(results_path))
    rows = results["rows"]
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=110)
    if before_path:
        before = sorted((r["apps"], r["ours_ms"]) for r in json.load(open(before_path))["rows"]
                        if r["scenario"] == "2 one Score changed")
        if before:
            ax.plot([p[0] for p in before], [p[1] for p in before], "s:", color="tab:orange", alpha=0.6,
                    label="plan, one Score changed (before)")
    for scenario, label, style in SERIES:
        points = sorted((r["apps"], r["ours_ms"]) for r in rows if r["scenario"] == scenario)
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], style, label=label)
    # The baseline: git ls-tree -r HEAD on the same repository (measured beside the one-Score plan).
    base = sorted((r["apps"], r["base_ms"]) for r in rows if r["scenario"] == "2 one Score changed")
    if base:
        ax.plot([p[0] for p in base], [p[1] for p in base], "k--", label="git ls-tree -r HEAD (baseline)")
    ax.set_xlabel("apps in the platform repository")
    ax.set_ylabel("median wall time, ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(f"innominatus plan vs number of apps (median of {results['runs']} runs, release)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
