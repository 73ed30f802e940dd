"""Platform security check: every container image is pinned (a version tag other than `latest`, or a
digest) and every container declares resource limits. Exit 1 with one line per finding."""
import os
import sys

sys.dont_write_bytecode = True  # the checkout is read-only; nothing to leave in it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_json  # noqa: E402

score = score_json.load()
findings = []
containers = score_json.mapping(score.get("containers"))
for name, container in sorted(containers.items()):
    container = score_json.mapping(container)
    image = str(container.get("image", ""))
    last = image.rsplit("/", 1)[-1]
    if "@sha256:" in image:
        pass
    elif ":" not in last:
        findings.append(f"container {name}: image '{image}' has no tag; pin a version or a digest")
    elif last.endswith(":latest"):
        findings.append(f"container {name}: image '{image}' uses 'latest'; pin a version or a digest")
    limits = score_json.mapping(score_json.mapping(container.get("resources")).get("limits"))
    if not limits.get("cpu") or not limits.get("memory"):
        findings.append(f"container {name}: no resources.limits.cpu and .memory; set both")
for finding in findings:
    print(f"FAIL {finding}")
print(f"scanned {len(containers)} container(s), {len(findings)} finding(s)")
with open(os.environ["INNOMINATUS_OUTPUT"], "a") as out:
    out.write(f"findings={len(findings)}\ncontainers={len(containers)}\n")
sys.exit(1 if findings else 0)
