#!/usr/bin/env bash
# Fuzzes the Specs decoders (YAML reader, Score, workflow and admin-config decoders) with libFuzzer.
#
#   Fuzz/run.sh [SECONDS]        default 600; run from anywhere
#
# Builds the SpecsFuzz target with -sanitize=fuzzer into .build-fuzz (kept apart from the normal build),
# seeds a corpus from the repository's spec files and the hostile corpus, runs for SECONDS on one core,
# and prints the executions and crashes. Crash inputs land in Fuzz/artifacts/; replay one with
#   swift run SpecsFuzz Fuzz/artifacts/crash-…
# Exit status: 0 when no crash was found, 1 when one was, 2 when the build failed.
set -uo pipefail

seconds="${1:-600}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Swift code gets libFuzzer's coverage from -sanitize=fuzzer. libyaml, which does the tokenising, is Debian's
# shared library (libyaml-0.so.2): it is not compiled here, so it carries no coverage and the fuzzer learns YAML
# syntax only from what the Swift reader does with the events (and from Fuzz/yaml.dict). -parse-as-library is
# harmless for the libraries and keeps one set of flags (and one build cache) for every module.
flags=(-Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DFUZZING)
echo "== building SpecsFuzz with -sanitize=fuzzer (release, .build-fuzz)"
if ! swift build -c release --product SpecsFuzz --scratch-path .build-fuzz "${flags[@]}" >Fuzz/.build.log 2>&1; then
    tail -30 Fuzz/.build.log
    echo "build failed (full log: Fuzz/.build.log)"
    exit 2
fi
binary="$(swift build -c release --product SpecsFuzz --scratch-path .build-fuzz --show-bin-path "${flags[@]}")/SpecsFuzz"

# Seeds: every YAML file the project ships plus the hostile corpus, and the generated hostile cases.
seeds="Fuzz/seeds"
corpus="Fuzz/corpus"
artifacts="Fuzz/artifacts"
mkdir -p "$seeds" "$corpus" "$artifacts"
find Tests/Fixtures/specs examples workflows policies Tests/Fixtures/hostile -type f \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.bin' -o -name '*.txt' \) -size -64k 2>/dev/null |
    while read -r file; do cp "$file" "$seeds/$(echo "$file" | tr '/' '_')"; done
echo "== $(ls "$seeds" | wc -l) seed files, $(ls "$corpus" | wc -l) files already in the corpus"

echo "== fuzzing for ${seconds}s"
log="Fuzz/fuzz.log"
"$binary" "$corpus" "$seeds" \
    -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -dict=Fuzz/yaml.dict -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
status=$?

executions="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')"
rate="$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')"
crashes="$(grep -cE '^==[0-9]+== ERROR: libFuzzer|SUMMARY: libFuzzer|^artifact_prefix=.*Test unit written' "$log")"
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -2
echo "executions: ${executions:-?}  exec/s: ${rate:-?}  crashes: ${crashes}  (log: $log)"
ls "$artifacts" 2>/dev/null | sed 's/^/artifact: /'
[ "$status" -eq 0 ] && [ "$crashes" -eq 0 ]
