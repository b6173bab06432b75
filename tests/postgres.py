"""A fresh PostgreSQL database per test, on the server named by MONITOR_TEST_POSTGRES.

`.ci/run` starts a throwaway server on a loopback port and sets the variable. Without it
the PostgreSQL cases are skipped, except in CI (`CI=true`), where they fail: CI must test
PostgreSQL, not silently skip it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from monitor.leader import Leadership

ENV = "MONITOR_TEST_POSTGRES"


def server_url() -> str:
    """The server's URL, or skip (locally) / fail (in CI) when there is none."""
    url = os.environ.get(ENV, "")
    if not url:
        message = (f"{ENV} is not set, so nothing runs against PostgreSQL; start a server "
                   "with `. .ci/postgres` (it sets the variable) or point it at one")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on `server` for one test, dropped after it (even if in use)."""
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(f"cannot reach the PostgreSQL server at {ENV}: {exc}".splitlines()[0])
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url.replace("postgresql+psycopg://", "postgresql://", 1)  # as users write it
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def member(url: str, name: str) -> Leadership:
    """A replica's leadership on the store at `url`, quick to retry and to confirm."""
    return Leadership(url, f"pid {name} on host test, since then", retry=0.0, beat=0.05)
