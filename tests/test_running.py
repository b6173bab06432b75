"""Who runs a store, as `monitor status` shows it: the leader, its lease, the standbys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import leader
from monitor.leader import clock_problem
from monitor.lock import InstanceLock
from monitor.running import describe, run_problems, run_status
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




def test_a_clock_far_off_the_database_servers_is_a_problem(store: Store) -> None:
    now = datetime.now(UTC)
    honest = run_status(store.url, now)
    assert abs(honest["clock_offset"]) < 2 and run_problems(honest) == []
    ahead = run_status(store.url, now, wall=lambda: datetime.now(UTC) + timedelta(seconds=75))
    assert 73 < ahead["clock_offset"] < 77
    assert run_problems(ahead) == [clock_problem(ahead["clock_offset"])]
    assert run_problems(ahead)[0].startswith("this host's clock is 75 s ahead of the database ")
    behind = run_status(store.url, now, wall=lambda: datetime.now(UTC) - timedelta(seconds=30))
    assert "30 s behind the database server's" in run_problems(behind)[0]


def test_sqlite_has_no_clock_to_compare(tmp_path: Path) -> None:
    doc = run_status(f"sqlite:///{tmp_path / 'monitor.db'}", datetime.now(UTC))
    assert "clock_offset" not in doc and run_problems(doc) == []


def test_a_replica_whose_clock_is_off_says_so_when_it_joins(
        store: Store, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    replica = member(store.url, "1")
    monkeypatch.setattr(leader, "clock_offset", lambda connection: -42.0)
    replica.acquire()
    replica.release()
    [record] = [r for r in caplog.records if r.getMessage() == "leader.clock_skew"]
    assert "42 s behind the database server's" in record.monitor_fields["error"]
