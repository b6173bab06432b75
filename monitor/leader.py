"""Leader and standbys: several `monitor run` on one PostgreSQL store, exactly one working.

Leadership is PostgreSQL's own session-level advisory lock, held on a connection kept for
nothing else. The server releases it the moment that session ends: when the leader exits
or is killed (its socket closes), when its connection is lost (this session's TCP
keepalives give up after about 11 s), or when the leader hangs (`idle_session_timeout`:
no check for 30 s). Standbys try to take the lock every 5 s, so one takes over within
about 5 s of a leader's death and within about 35 s at worst. The leader confirms the
lock on that connection every second, from a thread of its own, and stops leading as
soon as it cannot.

Every member names itself in `application_name` ("monitor run pid N on HOST"), so
`status` reads the leader (pg_locks) and the standbys (pg_stat_activity) from the server
itself; the leader also records when it took over in the `meta` table.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection

from monitor.engine import create_engine, normalise_url, open_failure
from monitor.logs import event
from monitor.schema import meta

log = logging.getLogger("monitor.run")
LEADER_KEY = 0x6D6F6E31  # "mon1": the advisory lock of the leader (per database)
RETRY = 5.0  # seconds between a standby's attempts to take over
BEAT = 1.0  # seconds between a leader's confirmations of its lock
IDLE = "30s"  # the server ends a leader's session that stops confirming for this long
APP_PREFIX = "monitor run "
# libpq keepalives (this side) and the server's (that side), so either end notices a dead
# connection in about 5 + 2 * 3 = 11 s; a write that goes unanswered fails after 10 s.
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
               "keepalives_count": 3, "tcp_user_timeout": 10_000}
_SESSION = ("SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 2",
            "SET tcp_keepalives_count = 3", "SET statement_timeout = '10s'",
            f"SET idle_session_timeout = '{IDLE}'")
_JOINED: dict[str, Leadership] = {}  # this process's memberships, by database URL
# Replicas' clocks are compared through the server's: claims on a digest are one-minute
# leases stamped by each replica's clock, so clocks further apart than this can let one
# replica take a digest another is still sending.
CLOCK_TOLERANCE = 10.0  # seconds
_HOLDS = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
                 "AND objid = :key AND objsubid = 1 AND granted AND pid = pg_backend_pid()")


def standing_by(url: str) -> bool:
    """Whether this process joined the store at `url` and another run leads it."""
    member = _JOINED.get(normalise_url(url))
    return member is not None and not member.leading


class Leadership:
    """This process's membership: `acquire()`, `check()` whether it leads, `release()`.

    A thread of its own confirms the lock (or, standing by, tries to take it) every
    `beat` seconds, so a long step in the daemon never leaves the lease unconfirmed.
    """

    def __init__(self, url: str, holder: str, *, retry: float = RETRY, beat: float = BEAT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = normalise_url(url)
        self.holder = holder  # "pid 1234 on host x, since ..."
        self.retry = retry
        self.beat = beat
        self.leading = False
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._engine = create_engine(
            self.url, _KEEPALIVES | {"application_name": application_name(holder)},
            poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
        self._connection: Connection | None = None
        self._tried = float("-inf")
        self._announced = False

    def acquire(self) -> None:
        """Join: connect and try to lead; StoreError (one sentence) when the server is out of reach.

        A standby is not refused: it waits its turn.
        """
        try:
            self._connect()
        except sa.exc.SQLAlchemyError as exc:
            self._engine.dispose()
            raise open_failure(self.url, exc) from exc
        _JOINED[self.url] = self
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            offset = clock_offset(self._connect())
            if abs(offset) > CLOCK_TOLERANCE:
                event(log, "leader.clock_skew", logging.WARNING, holder=self.holder,
                      error=clock_problem(offset))
        self._tick()
        self._thread = threading.Thread(target=self._beat, name="monitor-leader", daemon=True)
        self._thread.start()

    def check(self) -> bool:
        """Whether this run leads now (never raises, never waits)."""
        return self.leading

    def _beat(self) -> None:
        while not self._stop.wait(self.beat):
            self._tick()

    def _tick(self) -> None:
        """Leader: confirm the lock. Standby: try to take it (every `retry` s)."""
        try:
            if self.leading:
                self._confirm()
            elif self._clock() - self._tried >= self.retry:
                self._try()
            if self.leading and not self._announced:
                self._announce()
        except sa.exc.SQLAlchemyError as exc:
            self._lost(exc)

    def release(self) -> None:
        """Give the lock back at once (a clean stop), so a standby need not wait."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._connection is not None:
            try:
                if self.leading:
                    self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"),
                                             {"key": LEADER_KEY})
                self._connection.close()
            except sa.exc.SQLAlchemyError:
                pass  # the session is gone, and the lock with it
        self._connection = None
        self.leading = False
        self._engine.dispose()
        if _JOINED.get(self.url) is self:
            del _JOINED[self.url]

    def _connect(self) -> Connection:
        if self._connection is None:
            connection = self._engine.connect()
            for statement in _SESSION:
                try:
                    connection.execute(sa.text(statement))
                except sa.exc.ProgrammingError:  # e.g. idle_session_timeout before PG 14
                    event(log, "leader.setting_skipped", logging.DEBUG, setting=statement)
            self._connection = connection
        return self._connection

    def _try(self) -> None:
        self._tried = self._clock()
        taken = self._connect().execute(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                        {"key": LEADER_KEY}).scalar()
        if taken:
            self.leading, self._announced = True, False
            event(log, "leader.elected", holder=self.holder)

    def _confirm(self) -> None:
        if not self._connect().execute(_HOLDS, {"key": LEADER_KEY}).scalar():
            self._lost(None)

    def _announce(self) -> None:
        """Note in `meta` who leads since when (for `status`); retried until the table exists."""
        value = json.dumps({"holder": self.holder, "since": datetime.now(UTC).isoformat()})
        try:
            statement = insert(meta).values(key="leader", value=value)
            self._connect().execute(statement.on_conflict_do_update(
                index_elements=[meta.c.key], set_={"value": value}))
            self._announced = True
        except sa.exc.ProgrammingError:
            pass  # a new database: the store creates `meta` right after

    def _lost(self, exc: Exception | None) -> None:
        if self.leading:
            event(log, "leader.lost", logging.WARNING, holder=self.holder,
                  error=str(exc).splitlines()[0] if exc else "the lock is no longer held")
        self.leading = False
        if self._connection is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self._connection.close()
            self._connection = None


def wall_clock() -> datetime:
    return datetime.now(UTC)


def clock_offset(connection: Connection, wall: Callable[[], datetime] = wall_clock) -> float:
    """Seconds this host's clock is ahead of the database server's (behind: negative)."""
    before = wall()
    server = _utc(connection.execute(sa.select(sa.func.statement_timestamp())).scalar_one())
    after = wall()
    return ((before + (after - before) / 2) - server).total_seconds()


def clock_problem(offset: float) -> str:
    """The sentence for a clock `offset` seconds off the server's."""
    way = "ahead of" if offset > 0 else "behind"
    return (f"this host's clock is {abs(offset):.0f} s {way} the database server's: replicas "
            f"take over each other's digest claims by the clock, so keep every host within "
            f"{CLOCK_TOLERANCE:.0f} s of the others (run NTP, e.g. systemd-timesyncd or chrony)")


def application_name(holder: str) -> str:
    """What pg_stat_activity shows for a member (PostgreSQL keeps 63 bytes of it)."""
    return (APP_PREFIX + holder.split(",")[0])[:63]


@dataclass(frozen=True, slots=True)
class Member:
    name: str  # "pid 1234 on host x"
    address: str | None
    connected: datetime
    last_seen: datetime  # the session's last statement: a leader's last confirmation


@dataclass(frozen=True, slots=True)
class Replicas:
    leader: Member | None
    leader_since: datetime | None
    standbys: tuple[Member, ...]


_MEMBERS = sa.text("""
SELECT a.application_name, host(a.client_addr) AS address, a.backend_start, a.state_change,
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory'
               AND l.classid = 0 AND l.objid = :key AND l.objsubid = 1 AND l.granted
               AND l.database = (SELECT oid FROM pg_database
                                 WHERE datname = current_database())) AS leads
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.application_name LIKE :prefix
ORDER BY a.backend_start
""")


def replicas(connection: Connection) -> Replicas:
    """Who leads this PostgreSQL store and who stands by, as the server sees it now."""
    rows = connection.execute(_MEMBERS, {"key": LEADER_KEY, "prefix": APP_PREFIX + "%"})
    members = [(row.leads, Member(row.application_name.removeprefix(APP_PREFIX), row.address,
                                  _utc(row.backend_start), _utc(row.state_change or
                                                                row.backend_start)))
               for row in rows]
    leader = next((m for leads, m in members if leads), None)
    since = None
    recorded = connection.execute(sa.select(meta.c.value).where(meta.c.key == "leader"))
    note: dict[str, Any] = json.loads(recorded.scalar() or "{}")
    if leader is not None and application_name(note.get("holder", "")) == APP_PREFIX + leader.name:
        since = datetime.fromisoformat(note["since"])
    return Replicas(leader, since, tuple(m for leads, m in members if not leads))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

