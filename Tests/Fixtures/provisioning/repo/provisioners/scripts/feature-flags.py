#!/usr/bin/env python3
"""A cmd provisioner: reads the resource document on stdin, prints state, outputs and manifests."""
import json
import sys

doc = json.load(sys.stdin)
state = doc["state"]
state["revision"] = state.get("revision", 0) + 1
flags = doc["params"].get("flags", {})
print(json.dumps({
    "state": state,
    "outputs": {"endpoint": "http://flags.platform/" + doc["app"], "count": len(flags)},
    "manifests": [{
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": doc["uid"]},
        "data": {k: str(v) for k, v in sorted(flags.items())},
    }],
}))
