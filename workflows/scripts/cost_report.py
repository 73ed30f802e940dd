"""Platform cost report: the monthly cost of an app's resource requests (or limits, when no requests
are set), at the prices given in CPU_PRICE (per core-month) and MEMORY_PRICE (per GiB-month)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score_yaml  # noqa: E402


def cores(text):
    text = str(text)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def gibibytes(text):
    units = {"Ki": 2**-20, "Mi": 2**-10, "Gi": 1, "Ti": 2**10, "K": 1e3 / 2**30, "M": 1e6 / 2**30, "G": 1e9 / 2**30}
    match = re.match(r"^([0-9.]+)([A-Za-z]*)$", str(text))
    return float(match.group(1)) * units.get(match.group(2), 1 / 2**30) if match else 0.0


score = score_yaml.load(sys.argv[1])
cpu_price, memory_price = float(os.environ.get("CPU_PRICE", "20")), float(os.environ.get("MEMORY_PRICE", "3"))
total_cpu = total_memory = 0.0
for name, container in sorted((score.get("containers") or {}).items()):
    resources = container.get("resources") or {}
    sized = resources.get("requests") or resources.get("limits") or {}
    cpu, memory = cores(sized.get("cpu", "0")), gibibytes(sized.get("memory", "0"))
    total_cpu, total_memory = total_cpu + cpu, total_memory + memory
    print(f"{name}: {cpu:.3f} cores, {memory:.3f} GiB")
cost = total_cpu * cpu_price + total_memory * memory_price
print(f"monthly estimate: {cost:.2f} (cpu {total_cpu:.3f} cores, memory {total_memory:.3f} GiB)")
with open(os.environ["INNOMINATUS_OUTPUT"], "a") as out:
    out.write(f"monthlyCost={cost:.2f}\ncpuCores={total_cpu:.3f}\nmemoryGiB={total_memory:.3f}\n")
