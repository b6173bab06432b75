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


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'monitor.db'}")
    yield s
    s.close()
