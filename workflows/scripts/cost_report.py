"""Platform cost report: the monthly cost of an app's resource requests (or limits, when no requests
are set), at the prices given in CPU_PRICE (per core-month) and MEMORY_PRICE (per GiB-month)."""
import os
import re
import sys

sys.dont_write_bytecode = True  # the checkout is read-only; nothing to leave in it
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_json  # noqa: E402

# Kubernetes quantity suffixes, as a factor of one byte (memory) or one core (cpu).
SUFFIXES = {"": 1, "m": 1e-3, "K": 1e3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def quantity(value, what, container):
    """A quantity such as `500m`, `0.5`, `2`, `256Mi` or `1.5G` as a number; 0 (with a note) when it reads
    as none of them, so an odd value costs nothing rather than crashing the report."""
    if value is None:
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([a-zA-Z]*)", str(value).strip())
    if not match or match.group(2) not in SUFFIXES:
        print(f"note: container {container}: {what} '{value}' is not a quantity; counted as 0")
        return 0.0
    return float(match.group(1)) * SUFFIXES[match.group(2)]


score = score_json.load()
cpu_price, memory_price = float(os.environ.get("CPU_PRICE", "20")), float(os.environ.get("MEMORY_PRICE", "3"))
total_cpu = total_memory = 0.0
for name, container in sorted(score_json.mapping(score.get("containers")).items()):
    resources = score_json.mapping(score_json.mapping(container).get("resources"))
    sized = score_json.mapping(resources.get("requests")) or score_json.mapping(resources.get("limits"))
    cpu = quantity(sized.get("cpu"), "cpu", name)
    memory = quantity(sized.get("memory"), "memory", name) / 2**30
    total_cpu, total_memory = total_cpu + cpu, total_memory + memory
    print(f"{name}: {cpu:.3f} cores, {memory:.3f} GiB")
cost = total_cpu * cpu_price + total_memory * memory_price
print(f"monthly estimate: {cost:.2f} (cpu {total_cpu:.3f} cores, memory {total_memory:.3f} GiB)")
with open(os.environ["INNOMINATUS_OUTPUT"], "a") as out:
    out.write(f"monthlyCost={cost:.2f}\ncpuCores={total_cpu:.3f}\nmemoryGiB={total_memory:.3f}\n")
