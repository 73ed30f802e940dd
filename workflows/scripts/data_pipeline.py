"""analytics product workflow: generates the app's sample event stream, aggregates it per hour into a
CSV report under STATE_DIR, and reports the row counts (deterministic for an app, so re-runs agree)."""
import csv
import os
import random
from collections import Counter

app, state_dir = os.environ["APP_NAME"], os.environ["STATE_DIR"]
os.makedirs(state_dir, exist_ok=True)
rng = random.Random(app)
events = [(rng.randrange(24), rng.choice(["view", "click", "buy"])) for _ in range(5000)]
per_hour = Counter((hour, kind) for hour, kind in events)
path = os.path.join(state_dir, f"{app}-hourly.csv")
with open(path, "w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["hour", "kind", "events"])
    for (hour, kind), count in sorted(per_hour.items()):
        writer.writerow([hour, kind, count])
print(f"{len(events)} events aggregated into {len(per_hour)} rows at {path}")
with open(os.environ["INNOMINATUS_OUTPUT"], "a") as out:
    out.write(f"report={path}\nrows={len(per_hour)}\nevents={len(events)}\n")
