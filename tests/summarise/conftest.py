"""Fixtures for the summariser tests: the article fixtures and a loopback chat server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.summarise.chat_server import ChatServer

DATA = Path(__file__).parent.parent / "data" / "summarise"


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    with ChatServer() as server:
        yield server


@pytest.fixture
def datacentre() -> str:
    return (DATA / "datacentre.txt").read_text(encoding="utf-8")


@pytest.fixture
def lowercase() -> str:
    return (DATA / "lowercase.txt").read_text(encoding="utf-8")
