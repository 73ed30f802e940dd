"""ecommerce product workflow: creates (or migrates) the app's SQLite database under STATE_DIR with the
product's schema, idempotently, and reports its path and schema version."""
import os
import sqlite3
import sys

app, state_dir = os.environ["APP_NAME"], os.environ["STATE_DIR"]
os.makedirs(state_dir, exist_ok=True)
path = os.path.join(state_dir, f"{app}.sqlite3")
with sqlite3.connect(path) as db:
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, total_cents INTEGER NOT NULL, created TEXT NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS carts (id INTEGER PRIMARY KEY, items INTEGER NOT NULL)")
    if db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 0:
        db.execute("INSERT INTO schema_version VALUES (2)")
    version = db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
print(f"database for {app} ready at {path} (schema version {version})")
with open(os.environ["INNOMINATUS_OUTPUT"], "a") as out:
    out.write(f"database={path}\nschemaVersion={version}\n")
sys.exit(0)
