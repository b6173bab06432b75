"""`monitor db status` and `monitor db upgrade` from the command line."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from monitor.migrate import head

STORES = Path(__file__).parents[1] / "data" / "stores"


def invoke(*args: str, db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"MONITOR_DB": str(db),
                                                      "MONITOR_CONFIG": ""})
    return result.exit_code, result.output


def test_status_then_upgrade_of_a_release_0_1_0_store(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    shutil.copyfile(STORES / "release-0.1.0.db", db)
    code, out = invoke("db", "status", db=db)
    assert code == 0
    assert f"database  sqlite:///{db}\n" in out
    assert "schema    0003_feed_ttl (made before Alembic, by release 0.1.0 or earlier)" in out
    assert "behind: 4 revision(s) to apply" in out and "  0004_alembic: " in out
    code, out = invoke("db", "upgrade", db=db)
    assert code == 0
    assert out.startswith(f"upgraded sqlite:///{db} from schema 0003_feed_ttl to {head()}:")
    (backup,) = tmp_path.glob("monitor.db.backup-0003_feed_ttl-*")
    assert f"the copy from before the upgrade is {backup}" in out
    code, out = invoke("db", "status", "--format", "json", db=db)
    doc = json.loads(out)
    assert (code, doc["current"], doc["verdict"], doc["pending"]) == \
        (0, head(), "current", [])
    code, out = invoke("db", "upgrade", db=db)
    assert (code, out.strip()) == (0, f"sqlite:///{db} is already at schema {head()}; "
                                      "nothing to do")


def test_a_new_database_and_a_newer_one(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    code, out = invoke("db", "status", db=db)
    assert code == 0 and "state     new: no store yet" in out and not db.exists()
    code, out = invoke("db", "upgrade", db=db)
    assert (code, out.strip()) == (0, f"created sqlite:///{db} at schema {head()}")
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0042_later'")
    code, out = invoke("db", "status", db=db)
    assert code == 1 and "written by a newer release of monitor" in out
    code, out = invoke("db", "upgrade", db=db)
    assert code == 1
    assert out.strip() == (f"error: the database sqlite:///{db} was written by a newer release "
                           "of monitor (schema revision 0042_later, unknown to this one, whose "
                           f"newest is {head()}); upgrade monitor to use it")
