"""Schema migrations: every store is at the head revision before anything reads or writes it.

Opening a store calls `ensure_current`:
- a brand-new store gets schema.py's tables, stamped at the head revision;
- a store at an older revision, or made before Alembic (release 0.1.0 and the two earlier
  schemas, recognised by their tables), is upgraded in place: SQLite is copied to a backup
  file first, and the upgrade runs under the single-instance lock (this process's, or
  taken for the upgrade), so no running `monitor run` sees its tables change;
- a store at a revision this release does not know (a newer release's) is refused.
Two processes opening one store at once are serialised by the database itself: SQLite's
write lock (BEGIN IMMEDIATE) or a PostgreSQL advisory lock held for the transaction.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from monitor.engine import create_engine, open_failure, safe_url, sqlite_file
from monitor.errors import StoreError
from monitor.lock import InstanceLock, held_here
from monitor.schema import SCHEMA_VERSION, UTCDateTime, meta, metadata

log = logging.getLogger("monitor.store")
SCRIPTS = Path(__file__).with_name("migrations")
ADVISORY_KEY = 0x6D6F6E69746F72  # "monitor": serialises schema changes on PostgreSQL
_CORE = {"meta", "feeds", "articles", "matches"}  # 0001_core
_OUTBOX = {"pages", "cache", "digests", "digest_parts", "posted"}  # 0002_outbox
_NOT_OURS = {"instance_lock"}  # lock.py's lease table lives beside schema.py, not in it


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a store's schema stands against this release's migrations."""

    database: str  # the URL, without its password
    current: str | None  # None: no monitor tables yet
    head: str
    before_alembic: bool  # made by 0.1.0 or earlier (recognised by its tables)
    pending: tuple[str, ...]  # "id: what it does", oldest first
    known: bool  # False: a newer release wrote it

    @property
    def verdict(self) -> str:
        if self.current is None:
            return "new"
        if not self.known:
            return "newer"
        return "current" if self.current == self.head else "behind"


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What opening (or `monitor db upgrade`) did to a store."""

    database: str
    before: str | None
    after: str
    applied: tuple[str, ...]
    backup: Path | None = None
    created: bool = False


def alembic_config(connection: Connection | None = None,
                   location: Path = SCRIPTS) -> AlembicConfig:
    """Alembic's configuration, in code: the shipped scripts and (to migrate) a connection."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(location))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    found = scripts().get_current_head()
    assert found is not None, "the shipped migrations have no head"
    return found


def include_name(name: str | None, kind: str, _parents: Any) -> bool:
    """What Alembic compares: schema.py's tables, not lock.py's lease table."""
    return not (kind == "table" and name in _NOT_OURS)


def render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """New revisions spell schema.py's UTCDateTime as the plain DateTime it stores."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def read_state(connection: Connection) -> SchemaState:
    """The store's revision (or the one its tables show) and what is left to apply."""
    current, before_alembic = _revision(connection)
    top = head()
    known = True
    pending: tuple[str, ...] = ()
    if current is not None:
        try:
            steps = scripts().iterate_revisions(top, current)
            pending = tuple(f"{s.revision}: {s.doc}" for s in reversed(list(steps)))
        except (RevisionError, CommandError):
            known = False
    return SchemaState(safe_url(connection.engine.url), current, top, before_alembic,
                       pending, known)


def _revision(connection: Connection) -> tuple[str | None, bool]:
    heads = MigrationContext.configure(connection).get_current_heads()
    if len(heads) > 1:
        raise StoreError(f"the database {safe_url(connection.engine.url)} is at several "
                         f"schema revisions at once ({', '.join(heads)}); restore a backup")
    if heads:
        return heads[0], False
    legacy = _legacy_revision(connection)
    return legacy, legacy is not None


def _legacy_revision(connection: Connection) -> str | None:
    """The revision whose schema a store made before Alembic has; None when it is empty."""
    inspector = sa.inspect(connection)
    tables = set(inspector.get_table_names())
    if not tables & _CORE:
        return None
    missing = sorted((_CORE | (_OUTBOX if tables & _OUTBOX else set())) - tables)
    if missing:
        raise StoreError(f"the database {safe_url(connection.engine.url)} has some of "
                         f"monitor's tables but not {', '.join(missing)}; it was not made by "
                         "monitor or is damaged: restore a backup or use another database")
    if any(c["name"] == "ttl_minutes" for c in inspector.get_columns("feeds")):
        return "0003_feed_ttl"
    return "0002_outbox" if tables & _OUTBOX else "0001_core"


def _refuse_newer(state: SchemaState) -> None:
    if state.verdict == "newer":
        raise StoreError(f"the database {state.database} was written by a newer release of "
                         f"monitor (schema revision {state.current}, unknown to this one, "
                         f"whose newest is {state.head}); upgrade monitor to use it")


def ensure_current(engine: Engine) -> Upgrade | None:
    """Bring the store to the head revision (see the module's docstring); None if it was."""
    with engine.connect() as connection:
        state = read_state(connection)
    _refuse_newer(state)
    if state.verdict == "current":
        return None
    return _migrate(engine, announce=True)


def _migrate(engine: Engine, announce: bool) -> Upgrade:
    with _schema_transaction(engine) as connection:
        state = read_state(connection)  # again: another process may have done it meanwhile
        _refuse_newer(state)
        if state.verdict == "current":
            return Upgrade(state.database, state.current, state.head, ())
        if state.current is None:
            _create(connection)
            return Upgrade(state.database, None, state.head, (), created=True)
        with _upgrade_lock(engine, state):
            backup = _backup(engine, state)
            if state.before_alembic:
                MigrationContext.configure(connection).stamp(scripts(), state.current)
            command.upgrade(alembic_config(connection), "head")
    done = Upgrade(state.database, state.current, state.head, state.pending, backup)
    where = f"; a copy from before the upgrade is at {backup}" if backup else ""
    if announce:  # one line wherever a store is opened; `monitor db upgrade` says more
        log.warning("upgraded the database %s from schema %s to %s%s", state.database,
                    state.current, state.head, where)
    return done


def _create(connection: Connection) -> None:
    """A new store: schema.py's tables (equal to the head revision's; a test checks that)."""
    metadata.create_all(connection)
    MigrationContext.configure(connection).stamp(scripts(), "head")
    connection.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))


@contextmanager
def _schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole change, that no other process's change can overlap."""
    if engine.dialect.name == "sqlite" and sqlite_file(engine.url) is not None:
        # pysqlite opens transactions lazily and not for DDL: a second engine that says
        # BEGIN IMMEDIATE itself makes the change atomic and takes the write lock up front.
        migrator = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
        sa.event.listen(migrator, "connect", _sqlite_manual)
        sa.event.listen(migrator, "begin", lambda c: c.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            with migrator.begin() as connection:
                yield connection
        finally:
            migrator.dispose()
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": ADVISORY_KEY})
        yield connection


def _sqlite_manual(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA busy_timeout=30000")


def _upgrade_lock(engine: Engine, state: SchemaState) -> AbstractContextManager[None]:
    """The single-instance lock of a SQLite store, unless this process holds it already."""
    url = engine.url.render_as_string(hide_password=False)
    if sqlite_file(engine.url) is None or held_here(url):
        return nullcontext()
    lock = InstanceLock(url)
    try:
        lock.acquire()
    except StoreError as exc:
        raise StoreError(f"the database {state.database} needs an upgrade (schema "
                         f"{state.current} to {state.head}), but {exc}") from None
    return _releasing(lock)


@contextmanager
def _releasing(lock: InstanceLock) -> Iterator[None]:
    try:
        yield
    finally:
        lock.release()


def _backup(engine: Engine, state: SchemaState) -> Path | None:
    """A consistent copy of a SQLite store beside it, named after its revision and the time."""
    path = sqlite_file(engine.url)
    if path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.backup-{state.current}-{stamp}")
    source, copy = sqlite3.connect(path), sqlite3.connect(target)
    try:
        source.backup(copy)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot back up the database {path} to {target} before upgrading "
                         f"it: {exc}; check the free space and the directory's permissions"
                         ) from exc
    finally:
        copy.close()
        source.close()
    return target


def upgrade(url: str) -> Upgrade:
    """`monitor db upgrade`: bring the store at `url` to the head revision, say what changed."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            state = read_state(connection)
        _refuse_newer(state)
        return _migrate(engine, announce=False)
    except sa.exc.SQLAlchemyError as exc:
        raise open_failure(url, exc) from exc
    finally:
        engine.dispose()


def status(url: str) -> SchemaState:
    """`monitor db status`: the store's revision and what an upgrade would apply."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        top = head()
        return SchemaState(safe_url(url), None, top, False, (), True)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return read_state(connection)
    except sa.exc.SQLAlchemyError as exc:
        raise open_failure(url, exc) from exc
    finally:
        engine.dispose()


