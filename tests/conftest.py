"""Fixtures shared across the suite: a loopback feed server, the test rules, a store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.store import Store
from tests.feedserver import FeedServer

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


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
