"""`monitor extract` and `monitor summarise` on real inputs: files, URLs, stdin."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.feedserver import FeedServer, Route

PAGES = Path(__file__).parents[1] / "data" / "pages"
ARTICLE = ("Europe picks five sites for AI gigafactories\n"
           "The European Commission named five sites for its AI gigafactories on Tuesday. "
           "Each site will host about 100,000 accelerators for training very large models. "
           "Sign up for our newsletter to get the latest news. "
           "The plan is funded by public money and private investors. "
           "Critics said the power demand of the sites has not been settled. "
           "Construction is expected to start next year.")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    return tmp_path


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_extract_a_news_page_from_file_and_url(env: Path, feed_server: FeedServer) -> None:
    expected = json.loads((PAGES / "news.json").read_text(encoding="utf-8"))
    html = (PAGES / "news.html").read_bytes()
    feed_server.routes["/news"] = Route(html, content_type="text/html; charset=utf-8")
    result = invoke("extract", str(PAGES / "news.html"), feed_server.url("/news"),
                    "--format", "json")
    assert result.exit_code == 0
    by_file, by_url = json.loads(result.stdout)
    assert set(by_file) == {"input", "title", "published", "text", "error"}
    assert by_file["input"] == str(PAGES / "news.html")
    assert by_file["title"] == by_url["title"] == expected["title"]
    assert by_file["text"] == by_url["text"]
    assert by_file["error"] is None


def test_extract_keeps_going_after_a_bad_input(env: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/gone"] = Route(b"", status=404)
    (env / "a.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    result = invoke("extract", "missing.html", feed_server.url("/gone"), "a.txt.gz",
                    "--format", "json")
    assert result.exit_code == 1
    missing, gone, packed = json.loads(result.stdout)
    assert missing["error"] == "the file does not exist; check the path"
    assert "404" in gone["error"] and gone["text"] is None
    assert packed["title"] == "Europe picks five sites for AI gigafactories"
    assert packed["error"] is None


def test_extract_text_format(env: Path) -> None:
    (env / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = invoke("extract", "a.txt")
    assert result.exit_code == 0
    assert result.stdout.startswith("== a.txt\ntitle: Europe picks five sites")


def test_summarise_files_and_stdin(env: Path) -> None:
    (env / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = invoke("summarise", "a.txt", "-", "--sentences", "2", "--format", "json",
                    input=ARTICLE)
    assert result.exit_code == 0
    first, second = json.loads(result.stdout)
    assert set(first) == {"input", "title", "published", "summary", "error"}
    assert first["input"] == "a.txt" and second["input"] == "-"
    assert first["summary"] == second["summary"]
    summary = first["summary"]
    assert summary.startswith("The European Commission named five sites")
    assert "newsletter" not in summary
    assert summary.count(". ") <= 1 and len(summary) <= 600


def test_summarise_respects_the_character_budget(env: Path) -> None:
    (env / "a.txt").write_text(ARTICLE, encoding="utf-8")
    doc = json.loads(invoke("summarise", "a.txt", "--chars", "120", "--format", "json").stdout)
    assert 0 < len(doc[0]["summary"]) <= 120


def test_summarise_a_missing_file_is_one_error_line(env: Path) -> None:
    result = invoke("summarise", "nope.txt")
    assert result.exit_code == 1
    assert "error: the file does not exist; check the path" in result.stdout


def test_summarise_with_an_llm_endpoint_and_its_fallback(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.summarise.chat_server import ChatServer

    (env / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with ChatServer() as chat:
        monkeypatch.setenv("MONITOR_LLM_URL", chat.url)
        monkeypatch.setenv("MONITOR_LLM_MODEL", "test-model")
        monkeypatch.setenv("MONITOR_LLM_API_KEY", "sk-secret-key")
        chat.answer("The European Commission named five sites for AI gigafactories.")
        good = invoke("summarise", "a.txt", "--format", "json")
        assert json.loads(good.stdout)[0]["summary"] == \
            "The European Commission named five sites for AI gigafactories."
        assert chat.requests[0].headers["authorization"] == "Bearer sk-secret-key"
        chat.answer("The Commission named 12 sites in Atlantis.")  # made up: falls back
        made_up = invoke("summarise", "a.txt")
        assert "The European Commission named five sites" in made_up.stdout
        assert "note:" in made_up.stderr and "sk-secret-key" not in made_up.stderr
