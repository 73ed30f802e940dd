#!/usr/bin/env bash
# The main job, end to end on this machine: builds a platform repository from workflows/, policies/
# and examples/ into a temporary bare remote, reconciles it (every app's manifests are rendered and
# committed to env/main), changes a platform workflow (only the platform tiers run), reverts the
# change (they run again), and shows the status notes.
#   bash examples/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
git_demo() { git -c user.name="Demo Developer" -c user.email=dev@example.com -c init.defaultBranch=main "$@"; }

step "Building innominatus (debug)"
swift build --product innominatus 2>&1 | tail -1
bin=$(swift build --show-bin-path)/innominatus

demo=$(mktemp -d /tmp/innominatus-demo-XXXXXX)
# Run as root, the reconciler runs steps as an unprivileged user (--step-user), who must be able to pass
# through this folder to the checkout in the reconciler's workdir (but not list it).
chmod 711 "$demo"
remote=$demo/platform.git
work=$demo/platform
state=$demo/reconciler
step "Platform repository: $remote (work tree $work)"
mkdir -p "$work"
cp -r workflows policies "$work/"
cp -r examples/apps "$work/apps"
git_demo init -q "$work"
git_demo -C "$work" add -A
git_demo -C "$work" commit -q -m "Platform repository: 3 platform workflows, 2 products, 5 apps"
git_demo clone -q --bare "$work" "$remote"
git_demo -C "$work" remote add origin "$remote" 2>/dev/null || git_demo -C "$work" remote set-url origin "$remote"
"$bin" validate "$work" | tail -1

step "innominatus reconcile (first pass: every tier of every app)"
"$bin" reconcile --repo "$remote" --workdir "$state" --log-level warning

step "git log --notes=innominatus (the status note on the reconciled commit, first lines)"
git --git-dir="$remote" log --notes=innominatus -1 > "$demo/note.txt"  # whole, then shown in part (no SIGPIPE)
head -40 "$demo/note.txt"
echo "    ..."

step "The environment branch env/main: rendered manifests, one folder per app (Secrets stay in the workdir)"
git --git-dir="$remote" log --format='%h %s' env/main
git --git-dir="$remote" ls-tree -r --name-only env/main
ls "$state/secrets"

step "innominatus reconcile again (nothing changed: writes nothing)"
"$bin" reconcile --repo "$remote" --workdir "$state" --log-level warning

step "A platform workflow changes (cost-report's CPU price): only platform tiers run"
sed -i 's/CPU_PRICE: "20"/CPU_PRICE: "25"/' "$work/workflows/platform/cost-report.yaml"
git_demo -C "$work" commit -q -am "cost-report: CPU price 25"
git_demo -C "$work" push -q origin main
"$bin" reconcile --repo "$remote" --workdir "$state" --log-level warning

step "git revert of that change: the platform tiers run again"
git_demo -C "$work" revert --no-edit HEAD >/dev/null
git_demo -C "$work" push -q origin main
"$bin" reconcile --repo "$remote" --workdir "$state" --log-level warning

step "innominatus status (the last applied commit)"
"$bin" status --repo "$remote" --workdir "$state" > "$demo/status.txt"
head -30 "$demo/status.txt"

step "innominatus history"
"$bin" history --repo "$remote" --workdir "$state"

echo
echo "Everything is under $demo (remote, work tree, reconciler workdir). Try:"
echo "  git --git-dir=$remote log --notes=innominatus"
echo "  $bin plan --repo $remote --workdir $state"
