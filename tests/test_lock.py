"""The single-instance lock, with real second processes (refused, then free after SIGKILL)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from netguard import pythonpath

from monitor.errors import StoreError
from monitor.lock import InstanceLock, LeaseLock, describe_holder, lease_table, lock_path

ROOT = Path(__file__).resolve().parents[1]
HOLD = """
import sys, time
from monitor.lock import InstanceLock
lock = InstanceLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""
TRY = """
import sys
from monitor.errors import StoreError
from monitor.lock import InstanceLock
try:
    InstanceLock(sys.argv[1]).acquire()
except StoreError as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
print("acquired")
"""


def python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": pythonpath(str(ROOT))}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture
def holder(url: str) -> Iterator[subprocess.Popen[str]]:
    """A second process that holds the lock until it is killed."""
    child = python(HOLD, url)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held", child.stderr.read() if child.stderr else ""
    yield child
    if child.poll() is None:
        child.kill()
    child.communicate(timeout=10)


def test_a_second_process_is_refused_with_who_holds_the_lock(
        url: str, tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(StoreError) as refused:
        InstanceLock(url).acquire()
    expected = (rf"another monitor run \(pid {holder.pid} on host "
                rf"{re.escape(socket.gethostname())}, since \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) "
                rf"holds {re.escape(str(tmp_path / 'monitor.db.lock'))}; stop it first")
    assert re.fullmatch(expected, str(refused.value))


def test_after_the_holder_is_killed_with_sigkill_a_new_run_acquires(
        url: str, holder: subprocess.Popen[str]) -> None:
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    with InstanceLock(url):
        text = (Path(url.removeprefix("sqlite:///")).parent / "monitor.db.lock").read_text()
        assert text.startswith(f"pid {os.getpid()} on host ")


def test_a_second_process_refuses_while_this_one_holds_then_acquires_after(url: str) -> None:
    with InstanceLock(url):
        out, err = python(TRY, url).communicate(timeout=20)
        assert f"another monitor run (pid {os.getpid()} on host" in err
        assert out == ""
    out, err = python(TRY, url).communicate(timeout=20)
    assert out.strip() == "acquired", err


def test_two_locks_in_one_process_also_exclude_each_other(url: str) -> None:
    first = InstanceLock(url)
    first.acquire()
    with pytest.raises(StoreError, match="stop it first"):
        InstanceLock(url).acquire()
    first.release()
    with InstanceLock(url) as again:
        again.check()


def test_acquire_twice_on_the_same_object_is_harmless(url: str) -> None:
    lock = InstanceLock(url)
    lock.acquire()
    lock.acquire()
    lock.release()
    lock.release()


def test_the_holder_line_uses_the_injected_clock(url: str, tmp_path: Path) -> None:
    when = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    with InstanceLock(url, clock=lambda: when):
        text = (tmp_path / "monitor.db.lock").read_text().strip()
    assert text == describe_holder(os.getpid(), socket.gethostname(), when)
    assert text.endswith(", since 2026-11-26 09:00:00 UTC")


def test_check_fails_when_the_lock_file_is_removed_or_replaced(url: str, tmp_path: Path) -> None:
    with InstanceLock(url) as lock:
        lock.check()
        (tmp_path / "monitor.db.lock").unlink()
        with pytest.raises(StoreError, match="removed or replaced"):
            lock.check()
        (tmp_path / "monitor.db.lock").write_text("someone else\n")
        with pytest.raises(StoreError, match="removed or replaced"):
            lock.check()


def test_an_in_memory_database_needs_no_lock() -> None:
    assert lock_path("sqlite://") is None
    assert lock_path("sqlite:///:memory:") is None
    with InstanceLock("sqlite://"), InstanceLock("sqlite:///:memory:") as other:
        other.check()


def test_the_lock_sits_beside_the_real_database_file(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "data" / "real.db"
    real.parent.mkdir()
    real.touch()
    (tmp_path / "link.db").symlink_to(real)
    assert lock_path(f"sqlite:///{tmp_path / 'link.db'}") == real.with_name("real.db.lock")
    monkeypatch.chdir(tmp_path)
    assert lock_path("sqlite:///data/real.db") == real.with_name("real.db.lock")


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot create the lock file .*missing.*directory"):
        InstanceLock(f"sqlite:///{tmp_path / 'missing' / 'monitor.db'}").acquire()


# The lease used for databases that are not SQLite files, exercised here on a SQLite file.

STALE = 0.3


def test_a_lease_refuses_a_live_holder_and_frees_on_release(url: str) -> None:
    first = LeaseLock(url, "pid 1 on host a, since then", STALE)
    first.acquire()
    started = time.monotonic()
    with pytest.raises(StoreError, match=r"another monitor run \(pid 1 on host a, since then\) "
                                         r"holds the run lock in sqlite:///.*; stop it first"):
        LeaseLock(url, "pid 2 on host b", STALE).acquire()
    assert time.monotonic() - started >= STALE  # it watched the heartbeat before refusing
    first.check()
    first.release()
    second = LeaseLock(url, "pid 2 on host b", STALE)
    second.acquire()
    second.release()


def test_a_lease_left_by_a_crashed_run_is_taken_over(url: str) -> None:
    engine = sa.create_engine(url)
    lease_table.create(engine)
    with engine.begin() as c:
        c.execute(lease_table.insert().values(name="monitor run", token="dead", holder="x",
                                              beat=7))
    engine.dispose()
    lock = LeaseLock(url, "pid 3 on host c", STALE)
    lock.acquire()
    lock.check()
    lock.release()


def test_a_lease_taken_over_behind_our_back_is_reported_by_check(url: str) -> None:
    lock = LeaseLock(url, "pid 4 on host d", STALE)
    lock.acquire()
    with lock.engine.begin() as c:
        c.execute(lease_table.update().values(token="thief"))
    deadline = time.monotonic() + 5
    while lock.lost is None and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(StoreError, match="took over the run lock"):
        lock.check()
    lock.release()
