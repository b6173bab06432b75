"""The sentence model: read from the installed wheel's files, never from the network."""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor import embedding
from monitor.embedding import grouping_method, load_model, model_files, read_model


@pytest.fixture
def fresh_load() -> Iterator[None]:
    """Forget the process-wide model before and after, so each test loads it itself."""
    load_model.cache_clear()
    yield
    load_model.cache_clear()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the model loader tried the network: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_model_loads_from_disk_with_no_network(fresh_load: None, no_network: None) -> None:
    model = load_model()
    assert model is not None, "pip install -e '.[dev]' installs the stories extra"
    vectors = model.vectors([
        "Chipmaker will build its AI supercomputers in the United States",
        "The chip firm is to make AI supercomputers in America for the first time",
        "Carmaker opens a battery plant near Berlin",
    ])
    assert vectors.cosine(0, 1) > vectors.cosine(0, 2) + 0.2
    assert abs(vectors.cosine(0, 0) - 1.0) < 1e-5
    # wordllama's own package (hub downloads, requests, a root-logger setup) is never run
    assert "wordllama" not in sys.modules
    assert "semantic" in grouping_method()


def test_vectors_are_kept_per_text_and_empty_texts_are_zero(fresh_load: None) -> None:
    model = load_model()
    assert model is not None
    first = model.vectors(["GPU cluster online", ""])
    again = model.vectors(["GPU cluster online"])
    assert again.cosine(0, 0) == pytest.approx(first.cosine(0, 0))
    assert float(first.rows[1] @ first.rows[1]) == 0.0
    model.forget()


def test_neighbours_propose_only_close_pairs(fresh_load: None) -> None:
    model = load_model()
    assert model is not None
    vectors = model.vectors(["Nvidia resumes H20 sales to China", "Nvidia to resume H20 sales "
                             "in China", "Town council debates a new library"])
    assert vectors.neighbours(2, 0.8) == [(0, 1)]
    assert vectors.nearest_in(vectors, 1, 0.99) == [[0], [1], [2]]


def test_without_the_package_grouping_is_lexical(fresh_load: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding.importlib.util, "find_spec", lambda name: None)
    assert model_files() is None
    assert load_model() is None
    assert grouping_method().startswith("lexical")
    assert "monitor[stories]" in grouping_method()


def test_unreadable_model_files_fall_back_with_one_warning(
        fresh_load: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    weights, tokenizer = tmp_path / "w.safetensors", tmp_path / "t.json"
    weights.write_bytes(b"not safetensors")
    tokenizer.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(embedding, "model_files", lambda: (weights, tokenizer))
    with caplog.at_level(logging.WARNING, logger="monitor.embedding"):
        assert load_model() is None
    assert len(caplog.records) == 1
    assert "lexical" in caplog.records[0].getMessage()
    with pytest.raises(Exception):  # noqa: B017 - safetensors raises its own error type
        read_model(weights, tokenizer)


def test_status_says_which_grouping_method_runs(fresh_load: None, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "monitor.db"))
    shown = CliRunner().invoke(cli, ["status"])
    assert "story grouping: semantic + lexical (WordLlama" in shown.output
    load_model.cache_clear()
    monkeypatch.setattr(embedding, "model_files", lambda: None)
    shown = CliRunner().invoke(cli, ["status", "--format", "json"])
    assert '"grouping": "lexical (names, terms and figures)' in shown.output
