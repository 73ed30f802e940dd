#!/usr/bin/env bash
# What step isolation costs (release build, static stdlib as Benchmarks/run.sh): run as root,
#   (a) one pass of 1,000 shell steps of 'true' (100 apps x 1 platform workflow of 10 steps) with steps run
#       as the reconciler's own user (--step-user root) and as the step user (default: nobody): the
#       difference / 1,000 is the cost of dropping privileges (and of the per-attempt scratch folder) per step;
#   (b) at 10,000 apps (and 1,000), a pass where one app changed: the time to check the checkout out and
#       seal it (one lstat per path) and to start its watch (one inotify watch per folder), from the
#       reconciler's debug log.
#   bash Benchmarks/isolation.sh [RUNS] [WORK_DIR]      (SKIP_BUILD=1 reuses .build-static)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
work=${2:-$(mktemp -d /tmp/innominatus-isolation-XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
chmod 711 "$work"
[ "$(id -u)" = 0 ] || { echo "run as root: only root can run steps as another user" >&2; exit 1; }
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
dpkg -s libgit2-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libgit2-dev >/dev/null; }
dpkg -s libyaml-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libyaml-dev >/dev/null; }
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --static-swift-stdlib --scratch-path .build-static --product innominatus >&2
fi
bin=$PWD/.build-static/release/innominatus
gitc() { git -c user.name=bench -c user.email=bench@localhost "$@"; }

echo "== (a) 1,000 shell steps, as root and as the step user" >&2
ex=$work/exec100
python3 Benchmarks/generate.py "$ex" --apps 100 --seed 9 --git --products 0 --platform-workflows 1 --product-workflows 0 \
    --steps-per-workflow 10 --step-command true --app-workflow-share 0 --no-resources --no-delivery >&2
reset="sh -c 'rm -rf $work/wdexec; git --git-dir=$ex.git update-ref -d refs/innominatus/applied; git --git-dir=$ex.git update-ref -d refs/notes/innominatus; git --git-dir=$ex.git update-ref -d refs/innominatus/lease/main; true'"
for user in root nobody; do
    eval "$reset"
    "$bin" reconcile --repo "$ex.git" --workdir "$work/wdexec" --log-level error --step-user "$user" | tail -1 >&2
    hyperfine -N --warmup 1 --runs "$runs" --prepare "$reset" --export-json "$work/steps-$user.json" -n "1,000 steps as $user" \
        "$bin reconcile --repo $ex.git --workdir $work/wdexec --log-level error --step-user $user" >&2
done
python3 - "$work/steps-root.json" "$work/steps-nobody.json" <<'PY'
import json, sys
root, nobody = (json.load(open(p))["results"][0] for p in sys.argv[1:3])
for name, r in (("as root", root), ("as nobody", nobody)):
    print(f"   {name}: median {r['median']*1000:.0f} ms, mean CPU {(r['user']+r['system'])*1000:.0f} ms")
print(f"   dropping privileges: {(nobody['median']-root['median']):.3f} s per 1,000 steps = "
      f"{(nobody['median']-root['median']):.3f} ms per step (median wall), "
      f"{((nobody['user']+nobody['system'])-(root['user']+root['system'])):.3f} ms CPU per step")
PY

echo "== (b) the checkout's seal and watch, one app changed" >&2
for n in 1000 10000; do
    repo=$work/apps$n
    python3 Benchmarks/generate.py "$repo" --apps "$n" --seed 9 --git >&2
    wd=$work/wd$n
    "$bin" plan --repo "$repo.git" --workdir "$wd" --record-success >/dev/null
    for round in 1 2 3; do
        sed -i "s/^    image: .*/    image: nginx:1.$round/" "$repo/apps/app-00001/score.yaml"
        gitc -C "$repo" commit -qam "one app changed ($round)"
        gitc -C "$repo" push -q "$repo.git" HEAD:main
        "$bin" reconcile --repo "$repo.git" --workdir "$wd" --log-level debug 2>&1 >/dev/null | grep -m1 'checkout ready' || true
    done | sed "s/^/   $n apps: /" >&2
    files=$(find "$wd/checkout" | wc -l); folders=$(find "$wd/checkout" -type d | wc -l)
    echo "   $n apps: $files paths sealed, $folders folders watched" >&2
done
