"""Migrations: stores made by earlier releases upgrade in place, keep every row, post nothing twice."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.config import load_config
from monitor.daemon import Service
from monitor.engine import create_engine
from monitor.errors import StoreError
from monitor.lock import InstanceLock
from monitor.migrate import (
    alembic_config,
    head,
    include_name,
    read_state,
    status,
    upgrade,
)
from monitor.migrations import new_revision
from monitor.outbox import Outbox
from monitor.rules.reload import RuleBook
from monitor.schema import UTCDateTime, metadata
from monitor.store import Store
from monitor.summarise import ExtractiveSummariser
from tests.slack_server import SlackServer

STORES = Path(__file__).parent / "data" / "stores"
FIXTURES = {"release-0.1.0.db": "0003_feed_ttl", "a108d70-no-ttl.db": "0002_outbox",
            "55e495a-scan-only.db": "0001_core"}
RULES = Path(__file__).parent / "data" / "rules"
# columns that later revisions add to tables the fixture stores already have
ADDED = {"ttl_minutes", "claim_owner", "channel_id", "origin", "part"}


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / "monitor.db"
    shutil.copyfile(STORES / name, target)
    return target


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every monitor table, without what migrations add or change."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            found = sa.MetaData()
            found.reflect(c)
            return {name: sorted((tuple(r) for r in c.execute(
                        sa.select(*[col for col in table.c if col.name not in ADDED]))
                        if tuple(r)[:1] != ("schema_version",)), key=repr)
                    for name, table in found.tables.items() if name != "alembic_version"}
    finally:
        engine.dispose()


def on_postgres(name: str, url: str) -> None:
    """The fixture's rows in a PostgreSQL store of the same (pre-Alembic) schema."""
    engine = create_engine(url)
    with engine.begin() as c:
        command.upgrade(alembic_config(c), FIXTURES[name])
        c.execute(sa.text("DROP TABLE alembic_version"))  # as release 0.1.0 left it
        target = sa.MetaData()
        target.reflect(c)
        source = sa.create_engine(sqlite_url(STORES / name))
        with source.connect() as old:
            tables = sa.MetaData()
            tables.reflect(old)
            for table in tables.sorted_tables:
                found = [dict(r._mapping) for r in old.execute(sa.select(table))]
                if found:
                    c.execute(target.tables[table.name].insert(), found)
        if "digests" in target.tables:  # rows came with their ids: the sequence goes on after
            c.execute(sa.text("SELECT setval(pg_get_serial_sequence('digests', 'id'), "
                              "(SELECT max(id) FROM digests))"))
        source.dispose()
    engine.dispose()


def differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"include_name": include_name,
                                                           "compare_type": True})
    return list(compare_metadata(context, metadata))


def old_store(name: str, database: str, tmp_path: Path) -> str:
    """A store of fixture `name`'s schema and rows, on the test's backend."""
    if database.startswith("sqlite"):
        return sqlite_url(copy(name, tmp_path))
    on_postgres(name, database)
    return database


@pytest.mark.parametrize("name", list(FIXTURES))
def test_a_store_of_each_earlier_schema_upgrades_with_every_row_kept(
        name: str, database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = old_store(name, database, tmp_path)
    before = rows(url)
    assert sum(len(v) for v in before.values()) > 50
    store = Store(url)
    with store.begin() as c:
        assert read_state(c).current == head()
        assert differences(c) == []
    assert store.get_meta("schema_version") == "2"  # so release 0.1.0 refuses this store now
    store.close()
    after = rows(url)
    assert {t: after[t] for t in before} == before
    assert f"from schema {FIXTURES[name]} to {head()}" in caplog.text
    if database.startswith("sqlite"):
        (backup,) = tmp_path.glob(f"monitor.db.backup-{FIXTURES[name]}-*")
        assert rows(sqlite_url(backup)) == before
        assert f"a copy from before the upgrade is at {backup}" in caplog.text


@pytest.mark.parametrize(("name", "ttl"), [("release-0.1.0.db", 45), ("a108d70-no-ttl.db", None)])
def test_feed_state_reads_back_after_the_upgrade(name: str, ttl: int | None,
                                                 tmp_path: Path) -> None:
    store = Store(sqlite_url(copy(name, tmp_path)))
    (state,) = store.feed_states().values()
    assert (state.ttl_minutes, state.last_status, len(state.item_uids)) == (ttl, "ok", 26)
    store.close()


@pytest.mark.parametrize("name", ["release-0.1.0.db", "a108d70-no-ttl.db"])
def test_an_upgraded_store_sends_the_pending_part_once_and_reposts_nothing(
        name: str, database: str, tmp_path: Path) -> None:
    stored = sqlite3.connect(STORES / name).execute(
        "SELECT max(created_at), (SELECT payload FROM digest_parts WHERE ts IS NULL) "
        "FROM digests").fetchone()
    made = datetime.fromisoformat(stored[0] + "+00:00")
    url = old_store(name, database, tmp_path)
    (tmp_path / "monitor.toml").write_text(f"""
rules = "{RULES}"
database = "{url}"
[[channels]]
name = "ai-infra"
slack_channel = "ai-infra"
max_stories = 40
""", encoding="utf-8")
    with SlackServer() as slack:
        config = load_config(str(tmp_path / "monitor.toml"),
                             environ={"SLACK_BOT_TOKEN": slack.token,
                                      "SLACK_API_URL": slack.api_url})
        store = Store(config.database)
        service = Service(config, store, RuleBook(config.rules), lambda: made + timedelta(hours=1),
                          ExtractiveSummariser(), printer=lambda _text: None)
        slack.seed("C0AIINFRA", "1764147600.000100")  # part 1, posted by release 0.1.0
        service.flush()
        service.flush()
        (_, message) = slack.messages  # part 2 only, once, in the thread of part 1
        assert message.thread_ts == "1764147600.000100"
        assert message.text == json.loads(stored[1])["text"]
        service.digest(service.channels()[0])  # a new window: nothing new, nothing again
        assert len(slack.messages) == 2
        assert Outbox(store).pending() == []
        store.close()


def test_a_new_store_is_created_at_head_and_equals_schema_py(database: str,
                                                            tmp_path: Path) -> None:
    store = Store(database)
    with store.begin() as c:
        state = read_state(c)
        assert (state.current, state.verdict, state.before_alembic) == (head(), "current", False)
        assert differences(c) == []
    assert store.get_meta("schema_version") == "2"
    assert not list(tmp_path.glob("*.backup-*"))
    store.close()


def test_the_revisions_from_nothing_build_schema_py_and_go_down_again(database: str) -> None:
    engine = create_engine(database)
    with engine.begin() as c:
        command.upgrade(alembic_config(c), "head")
        assert differences(c) == []
        command.downgrade(alembic_config(c), "base")
        assert sa.inspect(c).get_table_names() == ["alembic_version"]
        command.upgrade(alembic_config(c), "head")
        assert differences(c) == []
    engine.dispose()


def test_a_store_from_a_newer_release_is_refused_in_one_sentence(database: str) -> None:
    url = database
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"^the database \S+ was written by a "
                       r"newer release of monitor \(schema revision 0099_future, unknown to "
                       rf"this one, whose newest is {head()}\); upgrade monitor to use it$"):
        Store(url)
    assert status(url).verdict == "newer"


def test_a_damaged_store_is_refused_not_guessed_at(tmp_path: Path) -> None:
    path = copy("release-0.1.0.db", tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE posted")
    with pytest.raises(StoreError, match="has some of monitor's tables but not posted"):
        Store(f"sqlite:///{path}")


def test_an_upgrade_waits_for_no_one_but_refuses_while_another_process_runs(
        tmp_path: Path) -> None:
    path = copy("release-0.1.0.db", tmp_path)
    # Another process's lock: a flock on its own open file, which this process does not hold.
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, b"pid 4242 on host other, since 2026-11-26 09:00:00 UTC\n")
    try:
        with pytest.raises(StoreError, match=r"needs an upgrade \(schema 0003_feed_ttl to "
                           rf"{head()}\), but another monitor run \(pid 4242 on host other"):
            Store(f"sqlite:///{path}")
    finally:
        os.close(fd)
    assert rows(sqlite_url(path)) == rows(sqlite_url(STORES / "release-0.1.0.db"))  # untouched
    assert not list(tmp_path.glob("*.backup-*"))


def test_the_run_that_holds_the_lock_upgrades_under_it(tmp_path: Path) -> None:
    url = f"sqlite:///{copy('release-0.1.0.db', tmp_path)}"
    with InstanceLock(url):
        Store(url).close()
    assert status(url).verdict == "current"


def test_two_processes_opening_a_new_store_at_once_create_it_once(database: str) -> None:
    url = database
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            Store(url).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = create_engine(url)
    with engine.connect() as c:
        assert list(c.execute(sa.text("SELECT version_num FROM alembic_version"))) == [(head(),)]
        assert list(c.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'"))) \
            == [("2",)]
    engine.dispose()


def test_db_upgrade_and_status_as_services(tmp_path: Path) -> None:
    url = f"sqlite:///{copy('55e495a-scan-only.db', tmp_path)}"
    before = status(url)
    assert (before.current, before.verdict, before.before_alembic) == \
        ("0001_core", "behind", True)
    assert [p.split(":")[0] for p in before.pending] == \
        ["0002_outbox", "0003_feed_ttl", "0004_alembic", "0005_slack_delivery", "0006_followups",
         "0007_facts"]
    done = upgrade(url)
    assert (done.before, done.after, len(done.applied)) == ("0001_core", head(), 6)
    assert done.backup is not None and done.backup.exists()
    again = upgrade(url)
    assert again.applied == () and again.backup is None
    assert status(f"sqlite:///{tmp_path / 'none.db'}").verdict == "new"
    assert not (tmp_path / "none.db").exists()  # status creates nothing


def test_new_revision_writes_what_schema_py_adds(tmp_path: Path) -> None:
    location = tmp_path / "migrations"
    shutil.copytree(Path(alembic_config().get_main_option("script_location") or ""), location,
                    ignore=shutil.ignore_patterns("__pycache__"))
    table = sa.Table("demo_facts", metadata, sa.Column("uid", sa.String(200), primary_key=True),
                     sa.Column("seen", UTCDateTime, nullable=False))
    try:
        path = new_revision("demo facts", "0099_demo", location)
    finally:
        metadata.remove(table)
    text = path.read_text(encoding="utf-8")
    assert f"down_revision = '{head()}'" in text
    assert "op.create_table('demo_facts'" in text and "sa.DateTime()" in text
    assert "UTCDateTime" not in text
