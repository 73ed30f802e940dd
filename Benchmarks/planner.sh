#!/usr/bin/env bash
# Planner benchmark: whole-process `innominatus plan` on generated platform repositories,
# each figure beside `git ls-tree -r HEAD` on the same repository in the same run.
#   (a) 10,000 apps, applied state present, one app's Score changed      goal: ≤ 5 × ls-tree
#   (b) 10,000 apps, applied state present, nothing changed              goal: ≤ 3 × ls-tree
#   (c) 1,000 apps, no applied state (every Score parsed)                goal: < 1 s
#   peak memory (max RSS) for 10,000 apps                                goal: < 200 MB
# Usage: Benchmarks/planner.sh [WORK_DIR]   (needs hyperfine, python3, /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-$(mktemp -d /tmp/planner-bench.XXXXXX)}
mkdir -p "$ROOT"
BIN=$PWD/.build-static/release/innominatus
if [[ -z "${SKIP_BUILD:-}" ]]; then
    swift build -c release --static-swift-stdlib --scratch-path .build-static --product innominatus
fi

# generate DIR APPS: a platform repo with APPS apps, 20 products, 10 platform and 60 product workflows.
generate() {
    local dir=$1 apps=$2
    rm -rf "$dir" && mkdir -p "$dir"
    python3 - "$dir" "$apps" <<'PY'
import os, sys
root, apps = sys.argv[1], int(sys.argv[2])
def write(path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f: f.write(text)
products = [f"product-{p:02d}" for p in range(20)]
approved = "\n".join(f"    - {p}/step-{w}" for p in products for w in range(3))
write("policies/admin-config.yaml", f"""# generated
workflowPolicies:
  requiredPlatformWorkflows: [platform-0]
  allowedProductWorkflows:
{approved}
  maxPrunePerPass: 5
""")
write("README.md", "# generated platform repository\n")
def workflow(kind, name, extra=""):
    return f"""apiVersion: workflow.dev/v1
kind: {kind}
metadata: {{name: {name}, owner: platform-team}}
spec:
{extra}  steps:
    - {{name: one, type: shell, run: 'echo {name} $APP_NAME'}}
    - {{name: two, type: shell, run: 'echo done'}}
"""
for w in range(10):
    write(f"scripts/platform-{w}.sh", f"#!/bin/sh\necho {w}\n")
    write(f"workflows/platform/platform-{w}.yaml", workflow("PlatformWorkflow", f"platform-{w}", f"  inputs: [scripts/platform-{w}.sh]\n"))
for p in products:
    for w in range(3):
        write(f"workflows/products/{p}/step-{w}.yaml", workflow("ProductWorkflow", f"step-{w}"))
for a in range(apps):
    name = f"app-{a:05d}"
    write(f"apps/{name}/score.yaml", f"""apiVersion: score.dev/v1b1
metadata:
  name: {name}
  product: {products[a % 20]}
containers:
  main:
    image: ghcr.io/acme/{name}:1.0.{a}
    variables:
      PORT: "8080"
service:
  ports:
    www: {{port: 80, targetPort: 8080}}
""")
PY
    git -C "$dir" init -q --initial-branch=main
    git -C "$dir" add -A
    git -C "$dir" -c user.name=bench -c user.email=bench@localhost commit -q -m generated
    git clone -q --bare "$dir" "$dir.git"
    # A local clone hardlinks 20,000 loose objects; pack them, as any served repository is, or
    # `git ls-tree` pays for 10,000 loose tree reads and the comparison means nothing.
    git -C "$dir.git" repack -adq
}

echo "== generating repositories in $ROOT"
generate "$ROOT/apps10k" 10000
generate "$ROOT/apps1k" 1000
R10=$ROOT/apps10k.git W10=$ROOT/workdir10k
R1=$ROOT/apps1k.git W1=$ROOT/workdir1k

echo "== peak memory, 10,000 apps, cold (clone + every Score parsed), recording the applied state"
/usr/bin/time -v "$BIN" plan --repo "$R10" --workdir "$W10" --record-success 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed"

echo "== (b) 10,000 apps, nothing changed"
"$BIN" plan --repo "$R10" --workdir "$W10" | tail -1
hyperfine -N --warmup 3 --runs 30 "$BIN plan --repo $R10 --workdir $W10" "git --git-dir=$R10 ls-tree -r HEAD"

echo "== (a) 10,000 apps, one app's Score changed"
sed -i 's/image: ghcr.io\/acme\/app-04242:1.0.4242/image: ghcr.io\/acme\/app-04242:2.0.0/' "$ROOT/apps10k/apps/app-04242/score.yaml"
git -C "$ROOT/apps10k" -c user.name=bench -c user.email=bench@localhost commit -q -am "app-04242: new image"
git -C "$ROOT/apps10k" push -q "$R10" HEAD:main
"$BIN" plan --repo "$R10" --workdir "$W10" | tail -4
hyperfine -N --warmup 3 --runs 30 "$BIN plan --repo $R10 --workdir $W10" "git --git-dir=$R10 ls-tree -r HEAD"
echo "== peak memory, 10,000 apps, one Score changed"
/usr/bin/time -v "$BIN" plan --repo "$R10" --workdir "$W10" 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed"

echo "== (c) 1,000 apps, no applied state: every Score parsed (cache already fetched)"
"$BIN" plan --repo "$R1" --workdir "$W1" | tail -1
hyperfine -N --warmup 2 --runs 20 "$BIN plan --repo $R1 --workdir $W1" "git --git-dir=$R1 ls-tree -r HEAD"
echo "== (c') 1,000 apps, no applied state, no cache (clone included)"
hyperfine -N --runs 10 --prepare "rm -rf $W1" "$BIN plan --repo $R1 --workdir $W1"
