"""Platform compliance check: the Score metadata carries the annotations the platform requires
(owner and cost center). The required keys come from the REQUIRED_ANNOTATIONS variable."""
import os
import sys

sys.dont_write_bytecode = True  # the checkout is read-only; nothing to leave in it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_json  # noqa: E402

score = score_json.load()
annotations = score_json.mapping(score_json.mapping(score.get("metadata")).get("annotations"))
required = [key for key in os.environ.get("REQUIRED_ANNOTATIONS", "").split(",") if key]
missing = [key for key in required if annotations.get(key) is None or not str(annotations.get(key)).strip()]
for key in missing:
    print(f"FAIL metadata.annotations['{key}'] is missing; add it to the Score file")
print(f"checked {len(required)} required annotation(s), {len(missing)} missing")
sys.exit(1 if missing else 0)
