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
from monitor.config import normalise_url
from monitor.errors import StoreError

POSTGRES_INSTALL = "pip install 'monitor[postgres]'"


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


def create_engine(url: str) -> Engine:
    """An engine for the store; StoreError (one sentence) when its driver is missing."""
    parsed = sa.engine.make_url(normalise_url(url))
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg" \
            and importlib.util.find_spec("psycopg") is None:
        raise StoreError(f"the database {safe_url(parsed)} is PostgreSQL, and its driver "
                         f"(psycopg) is not installed; run: {POSTGRES_INSTALL}")
    try:
        engine = sa.create_engine(parsed)
    except (ImportError, sa.exc.ArgumentError) as exc:
        raise StoreError(f"cannot use the database {safe_url(parsed)}: {exc}; check the URL "
                         "in `database` (or MONITOR_DB)") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_settings)
    return engine


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a scan read while the daemon writes; a busy timeout waits out short locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
