"""Fixtures shared across the suite: a loopback feed server, the test rules, a store."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.store import Store
from tests.feedserver import FeedServer
from tests.postgres import fresh_database, server_url

# Before any test runs: nothing leaves loopback, not even a DNS query; in this process and
# (through sitecustomize on PYTHONPATH) in every Python process a test starts.
LOOPBACK_ONLY = Path(__file__).parent / "loopback"
sys.path.insert(0, str(LOOPBACK_ONLY))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(LOOPBACK_ONLY), os.environ.get("PYTHONPATH", "")) if p)
import netguard  # noqa: E402

netguard.install()

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                   "ALL_PROXY", "no_proxy", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxies_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests choose their proxies: a CI runner's own must not route their loopback traffic."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer().serve() as server:
        yield server


@pytest.fixture
def rules_dir() -> Path:
    return DATA / "rules"


# The store's own tests, and those of what keeps state in it, run on SQLite and on PostgreSQL.
POSTGRES_MODULES = {"tests.test_store", "tests.test_outbox", "tests.test_daemon",
                    "tests.test_migrate", "tests.test_retention", "tests.test_leader",
                    "tests.cli.test_digest", "tests.cli.test_run"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames and metafunc.module.__name__ in POSTGRES_MODULES:
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for one test: a SQLite file, or a fresh PostgreSQL database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    with fresh_database(server_url()) as url:
        yield url


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database, for what only PostgreSQL has."""
    with fresh_database(server_url()) as url:
        yield url


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    s = Store(database)
    yield s
    s.close()
