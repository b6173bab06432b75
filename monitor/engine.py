"""How the store reaches its database: the URL, the driver, and SQLite's settings.

`database` in monitor.toml is a file path (SQLite) or a SQLAlchemy URL. PostgreSQL URLs
are taken as people write them (`postgresql://`, `postgres://`) and run on psycopg 3,
the driver the `postgres` extra installs; a missing driver is one sentence saying so.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

# resolving the setting is config's job (pure); database_url is re-exported for the store
from monitor.config import database_url as database_url
from monitor.config import normalise_url as normalise_url
from monitor.errors import StoreError

POSTGRES_INSTALL = "pip install 'monitor[postgres]'"
CONNECT_TIMEOUT = 10  # seconds


def safe_url(url: str | sa.URL) -> str:
    """A database URL without its password, for messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(invalid URL)"


def backend(url: str) -> str:
    """'sqlite', 'postgresql', ... for a SQLAlchemy URL."""
    return sa.engine.make_url(url).get_backend_name()


def sqlite_file(url: str | sa.URL) -> Path | None:
    """The file of a file-backed SQLite URL; None for in-memory SQLite and other databases."""
    parsed = sa.engine.make_url(url)
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or name in ("", ":memory:") \
            or name.startswith("file::memory:") or "mode=memory" in name:
        return None
    return Path(name).expanduser()


def create_engine(url: str, connect_args: dict[str, Any] | None = None,
                  **options: Any) -> Engine:
    """An engine for the store; StoreError (one sentence) when its driver is missing.

    `connect_args` and `options` are added to what every engine gets (leader election
    keeps a connection of its own with keepalives).
    """
    parsed = sa.engine.make_url(normalise_url(url))
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg" \
            and importlib.util.find_spec("psycopg") is None:
        raise StoreError(f"the database {safe_url(parsed)} is PostgreSQL, and its driver "
                         f"(psycopg) is not installed; run: {POSTGRES_INSTALL}")
    arguments = dict(connect_args or {})
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        arguments.setdefault("connect_timeout", CONNECT_TIMEOUT)  # unreachable: fail, not hang
    # A server restarts and drops connections; a pooled one is checked before reuse.
    options.setdefault("pool_pre_ping", parsed.get_backend_name() != "sqlite")
    try:
        engine = sa.create_engine(parsed, connect_args=arguments, **options)
    except (ImportError, sa.exc.ArgumentError) as exc:
        raise StoreError(f"cannot use the database {safe_url(parsed)}: {exc}; check the URL "
                         "in `database` (or MONITOR_DB)") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_settings)
    return engine


def open_failure(url: str | sa.URL, exc: Exception) -> StoreError:
    """The one sentence for a database that cannot be opened or reached."""
    inner = exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc
    first = (str(inner).splitlines() or [""])[0]
    detail = first or inner.__class__.__name__
    hint = "check the path and its permissions" if sqlite_file(url) is not None else \
        "check the URL, that the server runs and is reachable, and the user and password"
    return StoreError(f"cannot open the database {safe_url(url)}: {detail}; {hint}")


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # A busy timeout waits out short locks; first, so that switching to WAL (which needs the
    # file to itself) waits too when another process is creating or upgrading the store.
    # WAL lets a scan read while the daemon writes.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
