"""One `monitor run` per store: a second one refuses to start and says who holds the store.

SQLite (the default): an exclusive `fcntl.flock` on `<database>.lock` beside the database,
held for the life of the process, with the holder's pid, host and start time written in it.
The kernel drops the lock when the process exits or is killed (even SIGKILL), so a crash
never leaves a stale lock to clean up; that is why flock and not a pid file. An in-memory
SQLite database belongs to one process and needs no lock.

PostgreSQL: several runs may share a store, one leading and the others standing by (see
monitor/leader.py); `leading` says which this one is.

Any other database URL: a lease row in the `instance_lock` table, kept
alive by a heartbeat thread that bumps a counter. Whoever finds the row already there watches
the counter for `stale_after`: if it moved, the holder is alive and we refuse; if not, the
holder died and we take the row over. No clocks are compared, so clock skew between hosts
does not matter, at the price of a wait of `stale_after` before a second run is refused.
Call `check()` once per cycle: it raises if the lock was lost (file replaced, lease taken).
`held_here(url)` says whether this process holds the file lock (a schema upgrade needs it).
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa

from monitor.errors import StoreError
from monitor.leader import Leadership

LEASE_NAME = "monitor run"
_lease_metadata = sa.MetaData()
lease_table = sa.Table(
    "instance_lock", _lease_metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("holder", sa.String(400), nullable=False),
    sa.Column("beat", sa.BigInteger, nullable=False),
)


_HELD: set[Path] = set()  # the lock files this process holds


def held_here(database_url: str) -> bool:
    """Whether this process holds the file lock of this (SQLite) database."""
    path = lock_path(database_url)
    return path is not None and path in _HELD


def lock_path(database_url: str) -> Path | None:
    """`<db>.lock` for a file-backed SQLite URL; None for in-memory SQLite."""
    url = sa.engine.make_url(database_url)
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file::memory:") or "mode=memory" in name:
        return None
    # realpath: two spellings of one database (a symlink, ./x vs x) must share one lock.
    real = Path(os.path.realpath(Path(name).expanduser()))
    return real.with_name(real.name + ".lock")


def file_holder(database_url: str) -> str | None:
    """Who holds a SQLite store's lock now ('pid 1234 on host x, since ...'); None if no one."""
    path = lock_path(database_url)
    if path is None or not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return _read_holder(fd) or "a monitor run"
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def describe_holder(pid: int, host: str, since: datetime) -> str:
    """'pid 1234 on host x, since 2026-11-26 09:00:00 UTC' (what the lock file holds)."""
    return f"pid {pid} on host {host}, since {since.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


class InstanceLock:
    """Held while the process runs the daemon: `with InstanceLock(config.database): ...`."""

    def __init__(self, database_url: str, *, stale_after: float = 60.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.database_url = database_url
        self.stale_after = stale_after
        self._clock = clock
        self._impl: FileLock | LeaseLock | Leadership | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreError naming the holder."""
        if self._impl is not None:
            return
        holder = describe_holder(os.getpid(), socket.gethostname(), self._clock())
        backend = sa.engine.make_url(self.database_url).get_backend_name()
        if backend == "sqlite":
            path = lock_path(self.database_url)
            self._impl = FileLock(path, holder) if path is not None else None
        elif backend == "postgresql":
            self._impl = Leadership(self.database_url, holder)
        else:
            self._impl = LeaseLock(self.database_url, holder, self.stale_after)
        if self._impl is not None:
            try:
                self._impl.acquire()
            except StoreError:
                self._impl = None
                raise

    def check(self) -> None:
        """Raise StoreError if the lock is no longer ours (so the daemon stops, not doubles).

        On PostgreSQL nothing is raised: `leading` says whether this run leads (a thread
        takes over when the leader is gone, or learns that this run no longer leads).
        """
        if self._impl is not None:
            self._impl.check()

    @property
    def leading(self) -> bool:
        """Whether this run does the work: always, but for a PostgreSQL standby."""
        return not isinstance(self._impl, Leadership) or self._impl.leading

    def release(self) -> None:
        if self._impl is not None:
            self._impl.release()
            self._impl = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _refusal(holder: str, where: str) -> StoreError:
    who = f" ({holder})" if holder else ""
    return StoreError(f"another monitor run{who} holds {where}; stop it first")


class FileLock:
    """An exclusive flock on `path`; the holder's description is written into the file."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the lock file {self.path}: {exc.strerror}; check "
                             "that its directory exists and is writable") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            # Whoever holds the lock wrote who they are; read it before giving the fd back.
            holder = _read_holder(fd)
            os.close(fd)
            raise _refusal(holder, str(self.path)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, (self.holder + "\n").encode(), 0)
        self.fd = fd
        _HELD.add(self.path)

    def check(self) -> None:
        if self.fd is None:
            raise StoreError(f"the lock {self.path} is not held")
        try:
            current = os.stat(self.path)
        except OSError:
            current = None
        held = os.fstat(self.fd)
        if current is None or (current.st_dev, current.st_ino) != (held.st_dev, held.st_ino):
            raise StoreError(f"the lock file {self.path} was removed or replaced while this run "
                             "held it; another run may have started, so this one stops")

    def release(self) -> None:
        if self.fd is not None:
            # The file stays: unlinking it would let a waiter lock an orphaned inode.
            os.close(self.fd)
            self.fd = None
            _HELD.discard(self.path)


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 400, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


class LeaseLock:
    """A heartbeat lease row in the database at `url` (for stores that are not SQLite files)."""

    def __init__(self, url: str, holder: str, stale_after: float) -> None:
        self.url = url
        self.holder = holder
        self.stale_after = stale_after
        self.token = uuid.uuid4().hex
        self.engine = sa.create_engine(url)
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        try:
            _lease_metadata.create_all(self.engine)
            self._take()
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot take the run lock in the database: "
                             f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}") from exc
        except StoreError:
            self.engine.dispose()
            raise
        self._thread = threading.Thread(target=self._beat, name="monitor-lock", daemon=True)
        self._thread.start()

    def _take(self) -> None:
        row = dict(name=LEASE_NAME, token=self.token, holder=self.holder, beat=0)
        try:
            with self.engine.begin() as c:
                c.execute(lease_table.insert().values(**row))
            return
        except sa.exc.IntegrityError:
            pass
        seen = self._row()
        time.sleep(self.stale_after)
        if seen is None or self._row() != seen:
            raise _refusal(seen[1] if seen else "", f"the run lock in {self._where()}")
        t = lease_table.c
        with self.engine.begin() as c:
            taken = c.execute(lease_table.update().where(
                t.name == LEASE_NAME, t.token == seen[0], t.beat == seen[2]).values(**row))
        if taken.rowcount != 1:
            raise _refusal("", f"the run lock in {self._where()}")

    def _row(self) -> tuple[str, str, int] | None:
        t = lease_table.c
        with self.engine.begin() as c:
            found = c.execute(sa.select(t.token, t.holder, t.beat).where(t.name == LEASE_NAME))
            row = found.first()
        return (row.token, row.holder, row.beat) if row is not None else None

    def _where(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def _beat(self) -> None:
        t = lease_table.c
        while not self._stop.wait(self.stale_after / 3):
            try:
                with self.engine.begin() as c:
                    done = c.execute(lease_table.update().where(
                        t.name == LEASE_NAME, t.token == self.token).values(beat=t.beat + 1))
            except sa.exc.SQLAlchemyError:
                continue  # a database hiccup: try again next beat; the lease is not lost yet
            if done.rowcount != 1:
                self.lost = "another monitor run took over the run lock (this one missed " \
                            "its heartbeats); this one stops"
                return

    def check(self) -> None:
        if self.lost:
            raise StoreError(self.lost)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        t = lease_table.c
        try:
            with self.engine.begin() as c:
                c.execute(lease_table.delete().where(t.name == LEASE_NAME, t.token == self.token))
        except sa.exc.SQLAlchemyError:
            pass  # the row goes stale and the next run takes it over after stale_after
        self.engine.dispose()

