#!/usr/bin/env bash
# The scale and speed benchmark: builds innominatus in release, generates platform repositories
# (Benchmarks/generate.py) of 1,000 and 10,000 apps, and prints per scenario our median, the baseline's
# median, their ratio and our peak memory (max RSS). Medians of RUNS hyperfine runs (default 10).
#   bash Benchmarks/run.sh [RUNS] [WORK_DIR]
# Environment: SIZES="1000 10000" (the main sizes), PLOT_SIZES="2500 5000" (extra sizes measured only for
# the plot; PLOT_SIZES="" measures none), SKIP_BUILD=1 (reuse .build-static), BIN=path (measure that
# binary, no build; for before/after comparisons), RESULTS=path (default WORK_DIR/results.json).
# Writes WORK_DIR/results.json and, with Benchmarks/plot.py, WORK_DIR/plan-time.png.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
runs=${1:-10}
work=${2:-$(mktemp -d /tmp/innominatus-bench-XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
# Run as root, the reconciler runs steps as an unprivileged user, who must pass through this folder.
chmod 711 "$work"
sizes=${SIZES:-1000 10000}
plot_sizes=${PLOT_SIZES-2500 5000}
results=${RESULTS:-$work/results.json}

need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
need python3 python3
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
dpkg -s libgit2-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libgit2-dev >/dev/null; }
dpkg -s libyaml-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libyaml-dev >/dev/null; }
# The plot uses Debian's python3 (which sees apt's python3-matplotlib) when there is one.
plotpy=python3; [ -x /usr/bin/python3 ] && plotpy=/usr/bin/python3
$plotpy -c 'import matplotlib' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-matplotlib >/dev/null; }

# Release, with the Swift runtime linked statically as one ships it (a dynamic Foundation costs ~8 ms per
# process); a separate build folder keeps the normal build intact (as Benchmarks/gitkit.sh does).
if [ -z "${SKIP_BUILD:-}" ] && [ -z "${BIN:-}" ]; then
    echo "== building innominatus (release, static Swift stdlib)" >&2
    swift build -c release --static-swift-stdlib --scratch-path .build-static --product innominatus >&2
fi
bin=${BIN:-$top/.build-static/release/innominatus}
[ -x "$bin" ] || { echo "no $bin: run without SKIP_BUILD" >&2; exit 1; }

gitc() { git -c user.name=bench -c user.email=bench@localhost "$@"; }
rows=$work/rows.jsonl
: > "$rows"

# row SCENARIO APPS JSON_OURS JSON_BASE PEAK_KB TARGET: one line of results (medians from hyperfine's JSON).
row() {
    python3 - "$@" >> "$rows" <<'PY'
import json, sys
scenario, apps, ours, base, peak, target = sys.argv[1:7]
def result(path, index):
    return json.load(open(path))["results"][index] if path else None
def median(r): return r["median"] * 1000 if r else None
def cpu(r): return (r["user"] + r["system"]) * 1000 if r else None  # means, children included
ro = result(ours, 0)
rb = result(base, 1) if base == ours else result(base, 0)
o, b = median(ro), median(rb)
print(json.dumps({"scenario": scenario, "apps": int(apps), "ours_ms": o, "base_ms": b,
                  "ours_cpu_ms": cpu(ro), "base_cpu_ms": cpu(rb),
                  "ratio": (o / b) if (o and b) else None, "peak_mb": int(peak) / 1024 if peak else None,
                  "target": target}))
PY
}

# peak CMD...: the max RSS (KB) of one run of CMD, its output discarded.
peak() { /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true; cat "$work/rss" | tail -1; }

# hf NAME JSON CMD...: hyperfine over the commands, medians into JSON.
hf() {
    local json=$1; shift
    hyperfine -N --warmup 2 --runs "$runs" --export-json "$json" "$@" >&2
}

# commit_push REPO MESSAGE: commits the work tree REPO and pushes it to REPO.git.
commit_push() {
    gitc -C "$1" commit -q -am "$2"
    gitc -C "$1" push -q origin HEAD:main
    git --git-dir="$1.git" repack -adq
}

# keep_memo WORKDIR FILE: keeps the plan memo the last `plan` left (a binary without memos leaves none).
keep_memo() { if [ -f "$1/plan-memo" ]; then cp "$1/plan-memo" "$2"; else rm -f "$2"; fi; }
# restore_memo FILE WORKDIR: the command that puts it back before a timed run (or removes a stale one).
restore_memo() { echo "sh -c 'if [ -f $1 ]; then cp $1 $2/plan-memo; else rm -f $2/plan-memo; fi'"; }

generate() {  # generate DIR APPS [generator options]
    local dir=$1 apps=$2; shift 2
    python3 Benchmarks/generate.py "$dir" --apps "$apps" --seed 9 --git "$@" >&2
    "$bin" validate "$dir" >/dev/null || { "$bin" validate "$dir" | tail -5 >&2; echo "generated repository $dir is invalid" >&2; exit 1; }
}

# plan_scenarios N FULL: scenarios 4 (cold), 2 (one Score) and, with FULL, 3 (platform workflow), 6 and 1.
plan_scenarios() {
    local n=$1 full=$2
    local src=$work/apps$n repo=$work/apps$n.git wd=$work/wd$n
    echo "== $n apps: generating" >&2
    generate "$src" "$n"
    rm -rf "$wd"
    local plan="$bin plan --repo $repo --workdir $wd"
    local lstree="git --git-dir=$repo ls-tree -r HEAD"

    echo "== $n apps: (4) cold plan (no applied state, no plan memo, no parse cache; the workdir's cache already fetched)" >&2
    $plan >/dev/null
    local cold="rm -f $wd/plan-memo $wd/parse-cache"
    hf "$work/s4-$n.json" --prepare "$cold" -n "plan (cold)" "$plan" --prepare true -n "git ls-tree -r HEAD" "$lstree"
    row "4 cold plan" "$n" "$work/s4-$n.json" "$work/s4-$n.json" "$($cold; peak $plan)" "10,000 apps < 5 s"
    echo "== $n apps: (4p) the same plan, the parse cache warm (no applied state, no plan memo)" >&2
    $plan >/dev/null
    hf "$work/s4p-$n.json" --prepare "rm -f $wd/plan-memo" -n "plan (parse cache warm)" "$plan" --prepare true -n "git ls-tree -r HEAD" "$lstree"
    row "4p plan, parse cache warm (no applied state, no memo)" "$n" "$work/s4p-$n.json" "$work/s4p-$n.json" \
        "$(rm -f $wd/plan-memo; peak $plan)" "(4 without parsing)"

    # An applied state for every pair without running 40,000 steps: the hidden --record-success flag.
    $plan --record-success >/dev/null

    echo "== $n apps: (2) one app's Score changed" >&2
    # What the last plan leaves in the workdir: the memo of the head before the change. Each timed run
    # starts from it (--prepare), so each plans the change anew rather than the memo of its own commit.
    $plan >/dev/null
    local memo=$work/memo-before-$n
    keep_memo "$wd" "$memo"
    local app=$(printf 'app-%05d' $((n / 2)))
    sed -i 's/LOG_LEVEL: [a-z]*$/LOG_LEVEL: error/' "$src/apps/$app/score.yaml"
    commit_push "$src" "$app: log level error"
    $plan | tail -1 >&2
    hf "$work/s2-$n.json" --prepare "$(restore_memo "$memo" "$wd")" -n "plan (one Score changed)" "$plan" \
        --prepare true -n "git ls-tree -r HEAD" "$lstree"
    eval "$(restore_memo "$memo" "$wd")"
    row "2 one Score changed" "$n" "$work/s2-$n.json" "$work/s2-$n.json" "$(peak $plan)" "<= 5x"
    # The same without a memo (a workdir's first plan, or one after a shared file changed): the full plan.
    hf "$work/s2f-$n.json" --prepare "rm -f $wd/plan-memo" -n "plan (one Score changed, no memo)" "$plan" \
        --prepare true -n "git ls-tree -r HEAD" "$lstree"
    row "2f one Score, no memo" "$n" "$work/s2f-$n.json" "$work/s2f-$n.json" "$(rm -f $wd/plan-memo; peak $plan)" "(full plan)"

    echo "== $n apps: (7) preview of a pull request changing one app's Score (exit 2: something would run)" >&2
    local other=$(printf 'app-%05d' $((n / 3)))
    gitc -C "$src" checkout -q -b preview-$n
    sed -i 's/LOG_LEVEL: [a-z]*$/LOG_LEVEL: warning/' "$src/apps/$other/score.yaml"
    gitc -C "$src" commit -q -am "$other: log level warning"
    gitc -C "$src" push -q origin HEAD:refs/pull/1/head
    gitc -C "$src" checkout -q main
    local preview="$bin preview --repo $repo --workdir $wd --ref refs/pull/1/head"
    $preview | tail -1 >&2 || true
    hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$work/s7-$n.json" -n "preview (one Score changed)" "$preview" \
        -n "git ls-tree -r HEAD" "$lstree" >&2
    row "7 preview one Score" "$n" "$work/s7-$n.json" "$work/s7-$n.json" "$(peak $preview)" "10,000 apps < 1 s"
    [ "$full" = 1 ] || return 0

    echo "== $n apps: (3) one platform workflow changed" >&2
    $plan >/dev/null
    keep_memo "$wd" "$memo"
    sed -i 's/LEVEL: "1"/LEVEL: "11"/' "$src/workflows/platform/platform-check-1.yaml"
    commit_push "$src" "platform-check-1: level 11"
    $plan | tail -1 >&2
    # From the memo of the head before, as in (2): a shared file changed, so the plan is made in full.
    hf "$work/s3-$n.json" --prepare "$(restore_memo "$memo" "$wd")" -n "plan (platform workflow changed)" "$plan" \
        --prepare true -n "git ls-tree -r HEAD" "$lstree"
    row "3 platform workflow changed" "$n" "$work/s3-$n.json" "$work/s3-$n.json" "$(peak $plan)" "<= 10x"

    echo "== $n apps: one reconcile pass running that change (every app's platform tier)" >&2
    /usr/bin/time -f "%e s, %M KB max RSS" -o "$work/pass-$n.txt" \
        "$bin" reconcile --repo "$repo" --workdir "$wd" --log-level warning | tail -1 >&2 || true
    cat "$work/pass-$n.txt" >&2
    echo "== $n apps: (6) sizes of the status note and of the applied state; innominatus status" >&2
    local note_bytes state_bytes
    note_bytes=$(git --git-dir="$repo" notes --ref=innominatus show main | wc -c)
    state_bytes=$(git --git-dir="$repo" cat-file -s "$(git --git-dir="$repo" ls-tree refs/innominatus/applied | awk '{print $3}' | head -1)")
    local status="$bin status --repo $repo --workdir $wd"
    local shownote="git --git-dir=$repo notes --ref=innominatus show main"
    hf "$work/s6-$n.json" -n "status" "$status" -n "git notes show" "$shownote"
    row "6 status (read the note)" "$n" "$work/s6-$n.json" "$work/s6-$n.json" "$(peak $status)" "< 1 s"
    python3 - "$n" "$note_bytes" "$state_bytes" "$(cut -d' ' -f1 "$work/pass-$n.txt")" "$(cut -d' ' -f3 "$work/pass-$n.txt")" >> "$rows" <<'PY'
import json, sys
n, note, state, secs, rss = sys.argv[1:6]
print(json.dumps({"scenario": "6 sizes", "apps": int(n), "note_bytes": int(note), "state_bytes": int(state),
                  "pass_s": float(secs), "pass_peak_mb": int(rss) / 1024}))
PY

    echo "== $n apps: (1) no-op reconcile pass vs git fetch + git ls-tree -r" >&2
    local mirror=$work/mirror$n.git
    rm -rf "$mirror" && git clone -q --mirror --no-local "$repo" "$mirror"
    local reconcile="$bin reconcile --repo $repo --workdir $wd --log-level warning"
    $reconcile | tail -1 >&2
    hf "$work/s1-$n.json" -n "reconcile (no-op)" "$reconcile" \
        -n "git fetch + ls-tree -r" "sh -c 'git --git-dir=$mirror fetch -q origin && git --git-dir=$mirror ls-tree -r HEAD >/dev/null'"
    row "1 no-op reconcile" "$n" "$work/s1-$n.json" "$work/s1-$n.json" "$(peak $reconcile)" "<= 2x"

    echo "== $n apps: (8) serve: a signed push webhook for a one-Score change -> the pass recorded in the remote" >&2
    webhook "$n" "$src" "$repo" "$work/wdserve$n" "$wd/state.key"
}

# webhook N SRC REPO WORKDIR KEY: starts `serve` on REPO (its own WORKDIR, the state key KEY of the plans above), lets its first pass finish, then RUNS times: changes one
# app's Score, pushes, posts a GitHub-signed push webhook and waits until the remote holds both the note on
# the new head and an applied state for it. Writes one row (median and all samples, ms).
webhook() {
    local n=$1 src=$2 repo=$3 wdserve=$4 key=$5
    local port=$((20000 + RANDOM % 20000)) secret=$work/webhook-secret
    echo "bench-secret-$RANDOM" > "$secret"
    rm -rf "$wdserve"
    "$bin" serve --repo "$repo" --workdir "$wdserve" --state-key "$key" --interval 1h --listen "127.0.0.1:$port" \
        --webhook-secret-file "$secret" --log-level warning > "$work/serve$n.log" 2>&1 &
    local pid=$!
    python3 Benchmarks/webhook.py --port "$port" --secret "$secret" --src "$src" --repo "$repo" --runs "$runs" \
        --apps "$n" --out "$work/s8-$n.json" >&2 || { kill $pid; cat "$work/serve$n.log" >&2; exit 1; }
    kill $pid; wait $pid 2>/dev/null || true
    python3 - "$n" "$work/s8-$n.json" >> "$rows" <<'PY'
import json, sys
n, path = sys.argv[1:3]
r = json.load(open(path))
print(json.dumps({"scenario": "8 webhook -> pass recorded", "apps": int(n), "ours_ms": r["median_ms"], "base_ms": None,
                  "ours_cpu_ms": None, "base_cpu_ms": None, "ratio": None, "peak_mb": r.get("peak_mb"),
                  "samples_ms": r["samples_ms"], "target": "<= 1 s"}))
PY
}

for n in $sizes; do plan_scenarios "$n" 1; done
for n in $plot_sizes; do plan_scenarios "$n" 0; done

echo "== (5) one pass running 1,000 shell steps of 'true' (100 apps x 1 platform workflow of 10 steps; delivery off)" >&2
ex=$work/exec100
generate "$ex" 100 --products 0 --platform-workflows 1 --product-workflows 0 --steps-per-workflow 10 \
    --step-command true --app-workflow-share 0 --no-resources --no-delivery
# Each run starts from no applied state and no notes (a fresh workdir: the clone of 100 apps is included).
reset="sh -c 'rm -rf $work/wdexec; git --git-dir=$ex.git update-ref -d refs/innominatus/applied; git --git-dir=$ex.git update-ref -d refs/notes/innominatus; git --git-dir=$ex.git update-ref -d refs/innominatus/lease/main; true'"
reconcile="$bin reconcile --repo $ex.git --workdir $work/wdexec --log-level warning"
eval "$reset"
$reconcile | tail -1 >&2
steps=$(git --git-dir="$ex.git" notes --ref=innominatus show main | grep -c 'exitCode: 0' || true)
echo "   steps recorded as exit 0 in the note: $steps" >&2
[ "$steps" = 1000 ] || { echo "expected 1000 steps in the note" >&2; exit 1; }
hyperfine -N --warmup 1 --runs "$runs" --prepare "$reset" --export-json "$work/s5-ours.json" -n "reconcile (1,000 steps)" "$reconcile" >&2
hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/s5-base.json" \
    -n "shell loop (1,000 x sh -c true)" "sh -c 'for i in \$(seq 1000); do sh -c true; done'" >&2
eval "$reset"
row "5 1,000 shell steps" 100 "$work/s5-ours.json" "$work/s5-base.json" "$(peak $reconcile)" "<= 1.5x"

python3 - "$rows" "$results" "$runs" <<'PY'
import json, platform, subprocess, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
# Cost follows the change: the one-Score plan's CPU at 10,000 apps over its CPU at 1,000.
cpu = {r["apps"]: r["ours_cpu_ms"] for r in rows if r["scenario"] == "2 one Score changed"}
if 1000 in cpu and 10000 in cpu:
    rows.append({"scenario": "2 CPU 10,000 / 1,000 apps", "apps": 10000, "ours_ms": cpu[10000], "base_ms": cpu[1000],
                 "ours_cpu_ms": cpu[10000], "base_cpu_ms": cpu[1000], "ratio": cpu[10000] / cpu[1000], "peak_mb": None,
                 "target": "<= 1.5x"})
def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
machine = {"cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(), "cores": sh("nproc"),
           "memory": sh("free -h | awk '/Mem:/{print $2}'"), "kernel": platform.release(),
           "os": sh(". /etc/os-release && echo $PRETTY_NAME"), "swift": sh("swift --version 2>&1 | head -1"),
           "libgit2": sh("dpkg-query -W -f '${Version}' libgit2-dev"), "git": sh("git --version"),
           "hyperfine": sh("hyperfine --version"), "load": sh("cut -d' ' -f1-3 /proc/loadavg")}
json.dump({"runs": int(sys.argv[3]), "machine": machine, "rows": rows}, open(sys.argv[2], "w"), indent=1)
print(f"{'scenario':30} {'apps':>6} {'ours ms':>9} {'base ms':>9} {'ratio':>6} {'peak MB':>8} {'CPU ours':>9} {'CPU base':>9}  target")
for r in rows:
    if r["scenario"] == "6 sizes":
        print(f"{'6 note / applied state':30} {r['apps']:6} note {r['note_bytes']/1e6:.2f} MB, applied state "
              f"{r['state_bytes']/1e6:.2f} MB; the pass that wrote them: {r['pass_s']:.1f} s, {r['pass_peak_mb']:.0f} MB")
        continue
    f = lambda v, fmt: format(v, fmt) if v is not None else "-"
    print(f"{r['scenario']:30} {r['apps']:6} {f(r['ours_ms'], '9.1f')} {f(r['base_ms'], '9.1f')} "
          f"{f(r['ratio'], '6.2f')} {f(r['peak_mb'], '8.1f')} {f(r['ours_cpu_ms'], '9.1f')} {f(r['base_cpu_ms'], '9.1f')}  {r['target']}")
print(f"(wall: medians of {sys.argv[3]} runs; CPU: mean user+system ms, children included; "
      f"machine load at the end: {machine['load']})")
PY
$plotpy Benchmarks/plot.py "$results" "$work/plan-time.png" >&2 && echo "plot: $work/plan-time.png" >&2
echo "results: $results" >&2
