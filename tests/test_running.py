"""Who runs a store, as `monitor status` shows it: the leader, its lease, the standbys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.lock import InstanceLock
from monitor.running import describe, run_status
from monitor.store import Store
from tests.postgres import member


@pytest.fixture
def store(postgres_database: str) -> Iterator[Store]:
    s = Store(postgres_database)
    yield s
    s.close()


def test_on_sqlite_the_run_holding_the_lock_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    assert describe(run_status(url, datetime.now(UTC))) == ["run: no monitor run holds the store"]
    with InstanceLock(url):
        doc = run_status(url, datetime.now(UTC))
    assert doc["mode"] == "single" and doc["standbys"] == []
    assert describe(doc)[0].startswith("run: pid ") and " on host " in describe(doc)[0]
    assert run_status(url, datetime.now(UTC))["leader"] is None  # released: no one


def test_status_names_the_leader_its_lease_and_the_standbys(store: Store) -> None:
    first, second = member(store.url, "1"), member(store.url, "2")
    first.acquire()
    second.acquire()
    doc = run_status(store.url, datetime.now(UTC) + timedelta(seconds=2))
    assert doc["mode"] == "leader and standbys"
    assert doc["leader"]["name"] == "pid 1 on host test"
    assert doc["leader"]["lease"].startswith("held while its session lives: confirmed ")
    assert [m["name"] for m in doc["standbys"]] == ["pid 2 on host test"]
    lines = describe(doc)
    assert lines[0].startswith("leader: pid 1 on host test, since 20")
    assert lines[1].startswith("standby: pid 2 on host test, connected since 20")
    first.release()
    second.release()
    assert describe(run_status(store.url, datetime.now(UTC))) == \
        ["run: no monitor run is connected to the store"]


def test_standbys_without_a_leader_are_shown_as_such() -> None:
    doc = {"mode": "leader and standbys", "leader": None,
           "standbys": [{"name": "pid 2 on host b", "connected": "2026-11-26T09:00:00Z"}]}
    assert describe(doc) == ["leader: none yet (a standby takes over within seconds)",
                             "standby: pid 2 on host b, connected since 2026-11-26T09:00:00Z"]


