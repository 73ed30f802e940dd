#!/usr/bin/env python3
"""Push webhook -> pass recorded, against a running `innominatus serve` (Benchmarks/run.sh, scenario 8).

Waits for /readyz, then RUNS times: changes one app's Score in SRC, commits and pushes it to REPO (not
timed), posts a GitHub-signed push webhook and measures until REPO holds both a note on the new head
(refs/notes/innominatus) and an applied state for it (refs/innominatus/applied), read from the ref files
every 2 ms and then checked with git. Writes {"median_ms", "samples_ms"} to OUT.
"""
import argparse, hashlib, hmac, json, os, statistics, subprocess, sys, time, urllib.request


def git(*args, check=True):
    return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
                          capture_output=True, text=True, check=check).stdout.strip()


def ref(repo, name):
    """A ref's value from the bare repository's files (loose, then packed), without starting git."""
    try:
        with open(os.path.join(repo, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        pass
    try:
        with open(os.path.join(repo, "packed-refs")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1] == name:
                    return parts[0]
    except FileNotFoundError:
        pass
    return None


def recorded(repo, head):
    note = subprocess.run(["git", "--git-dir", repo, "notes", "--ref=innominatus", "show", head],
                          capture_output=True, text=True)
    if note.returncode != 0:
        return False
    state = subprocess.run(["git", "--git-dir", repo, "show", "refs/innominatus/applied:4b825dc642cb6eb9a060e54bf8d69288fbee4904"],
                           capture_output=True, text=True)
    return f"commit\t{head}\n" in state.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--apps", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    secret = open(a.secret).read().strip().encode()
    base = f"http://127.0.0.1:{a.port}"
    deadline = time.time() + 600
    while True:  # the first pass (a fresh workdir: clone and checkout) must have reached the remote
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as r:
                if r.status == 200:
                    break
        except Exception:
            pass
        if time.time() > deadline:
            sys.exit("serve did not become ready in 600 s")
        time.sleep(0.2)
    samples = []
    for run in range(a.runs):
        app = f"app-{(a.apps // 4 + run) % a.apps:05d}"
        path = os.path.join(a.src, "apps", app, "score.yaml")
        text = open(path).read()
        level = "error" if "LOG_LEVEL: error" not in text else "info"
        lines = [("      LOG_LEVEL: " + level) if l.startswith("      LOG_LEVEL: ") else l for l in text.split("\n")]
        open(path, "w").write("\n".join(lines))
        git("-C", a.src, "commit", "-q", "-am", f"{app}: log level {level}")
        git("-C", a.src, "push", "-q", a.repo, "HEAD:main")
        head = git("-C", a.src, "rev-parse", "HEAD")
        before = (ref(a.repo, "refs/notes/innominatus"), ref(a.repo, "refs/innominatus/applied"))
        body = json.dumps({"ref": "refs/heads/main", "after": head, "repository": {"full_name": "bench/platform"}}).encode()
        signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(base + "/hooks/git", data=body, method="POST", headers={
            "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": f"bench-{run}",
            "X-Hub-Signature-256": signature})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as r:
            if r.status != 202:
                sys.exit(f"webhook answered {r.status}")
        seen = before
        while True:
            now = (ref(a.repo, "refs/notes/innominatus"), ref(a.repo, "refs/innominatus/applied"))
            # Both moved since the webhook, and something moved since the last look (a pass pushes its
            # in-flight state first, then the note and the final state): is it this head's pass?
            if now[0] != before[0] and now[1] != before[1] and now != seen:
                elapsed = time.perf_counter() - start
                seen = now
                if recorded(a.repo, head):
                    break
            if time.perf_counter() - start > 120:
                sys.exit(f"no pass recorded for {head} within 120 s")
            time.sleep(0.002)
        samples.append(elapsed * 1000)
        print(f"   webhook -> pass recorded: {elapsed * 1000:.0f} ms ({app})", file=sys.stderr)
        time.sleep(0.5)
    json.dump({"median_ms": statistics.median(samples), "samples_ms": samples}, open(a.out, "w"))


if __name__ == "__main__":
    main()
