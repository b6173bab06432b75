"""Fixtures for the facts tests: helpers to read one sentence, and a loopback chat server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.facts.text import Sentence, sentences
from tests.summarise.chat_server import ChatServer


def parts(text: str, title: str = "") -> list[Sentence]:
    """The sentences the extractors read, for a test's own text."""
    return sentences(title, text)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    with ChatServer() as server:
        yield server
