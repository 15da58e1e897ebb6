"""The default database is SQLite: a new one must migrate from nothing, with the order-facts triggers in place.

Adding a column to a table the triggers are on makes SQLite rebuild the table, which fails while a trigger names
it; each such migration sets the triggers aside and installs them again. This walks the whole chain on a fresh
file in its own process (the suite itself may run on PostgreSQL).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def test_a_new_sqlite_database_migrates_with_its_triggers(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    migrated = _manage("migrate", "--no-input", "-v", "0", database=database)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    checked = _manage("verify_order_facts", database=database)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "agree" in checked.stdout
