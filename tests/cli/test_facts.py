"""`monitor facts` on real inputs: files, HTML pages over loopback, stdin, the LLM."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.feedserver import FeedServer, Route, rss
from tests.summarise.chat_server import ChatServer

ARTICLE = ("OpenAI and Oracle start building 1.2 GW campus in Abilene, Texas\n"
           "Crusoe said construction has begun on the 1.2-gigawatt campus near Abilene, Texas. "
           "The $15 billion project will house up to 400,000 Nvidia GB200 chips. Oracle, whose "
           "market value rose by $200 billion this year, will run the site.")
PAGE = ("<html><head><title>Humain breaks ground in Riyadh</title></head><body><article>"
        "<h1>Humain breaks ground in Riyadh</h1><p>Saudi AI company Humain has started "
        "construction on its first data centers in Riyadh and Dammam, each with up to 100 "
        "megawatts, using 18,000 Nvidia GB300 chips in the first phase, the company said on "
        "Tuesday. The facilities are due to open next year and will serve customers across "
        "the region, according to its chief executive.</p></article></body></html>")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_CONFIG", "MONITOR_LLM_URL", "MONITOR_LLM_MODEL", "MONITOR_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_text_output_for_a_file(env: Path) -> None:
    (env / "stargate.txt").write_text(ARTICLE, encoding="utf-8")
    result = invoke("facts", "stargate.txt")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == ["== stargate.txt", ARTICLE.splitlines()[0]]
    assert "power:      1.2 GW" in lines and "investment: $15bn" in lines
    assert "places:     Abilene, Texas" in lines and "status:     under construction" in lines
    assert lines[-1] == "line:       1.2 GW · $15bn · 400,000 GPUs · Abilene, Texas · " \
        "under construction"


def test_json_for_stdin_a_gz_file_a_page_and_a_missing_file(env: Path,
                                                             feed_server: FeedServer) -> None:
    (env / "a.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    feed_server.routes["/humain"] = Route(PAGE.encode(), content_type="text/html")
    result = invoke("facts", "-", "a.txt.gz", feed_server.url("/humain"), "missing.txt",
                    "--format", "json", input=ARTICLE)
    assert result.exit_code == 1
    stdin, packed, page, missing = json.loads(result.stdout)
    assert set(stdin) == {"input", "title", "published", "facts", "error"}
    assert stdin["input"] == "-" and stdin["facts"] == packed["facts"]
    assert stdin["facts"]["investment"] == [{"amount": 1.5e10, "currency": "USD"}]
    assert stdin["facts"]["gpus"] == [400000] and stdin["facts"]["chips"] == ["GB200"]
    assert page["facts"]["places"] == ["Riyadh", "Dammam"]
    assert page["facts"]["power_mw"] == [100.0]
    assert page["facts"]["status"] == "under construction"
    assert missing["facts"] is None and missing["error"] == \
        "the file does not exist; check the path"


def test_the_configured_llm_adds_only_what_the_text_states(env: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "stargate.txt").write_text(ARTICLE, encoding="utf-8")
    with ChatServer() as chat:
        chat.answer(json.dumps({"companies": ["Crusoe", "SoftBank"], "gpus": [400000]}))
        monkeypatch.setenv("MONITOR_LLM_URL", chat.url)
        monkeypatch.setenv("MONITOR_LLM_MODEL", "test-model")
        result = invoke("facts", "stargate.txt", "--format", "json")
    assert result.exit_code == 0
    (doc,) = json.loads(result.stdout)
    assert "SoftBank" not in doc["facts"]["companies"]
    assert "note: stargate.txt: LLM facts: 1 proposed value(s) the article does not state " \
        "were dropped (SoftBank)." in result.stderr


def test_an_unreachable_llm_falls_back_to_the_rules(env: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (env / "stargate.txt").write_text(ARTICLE, encoding="utf-8")
    with ChatServer() as chat:
        chat.fail(503)
        monkeypatch.setenv("MONITOR_LLM_URL", chat.url)
        monkeypatch.setenv("MONITOR_LLM_MODEL", "test-model")
        result = invoke("facts", "stargate.txt")
    assert result.exit_code == 0 and "status:     under construction" in result.stdout
    assert "LLM facts not used: the LLM endpoint answered HTTP 503." in result.stderr


WEEK = [
    {"title": "Meta and Blue Owl close $27 billion financing for Hyperion AI data center",
     "link": "https://dcd.example/hyperion", "pubDate": "Mon, 23 Nov 2026 10:00:00 GMT",
     "description": "Meta has closed a $27 billion financing with Blue Owl Capital for Hyperion, "
                    "its AI data center in Richland Parish, Louisiana, planned to grow to 5 GW."},
    {"title": "Meta, Blue Owl seal $27bn deal for Hyperion AI data center in Louisiana",
     "link": "https://wire.example/meta-blue-owl", "pubDate": "Mon, 23 Nov 2026 12:00:00 GMT",
     "description": "Blue Owl Capital and Meta agreed a $27 billion financing for the Hyperion "
                    "AI data center in Louisiana, which will reach 5 GW."},
    {"title": "xAI switches on Colossus 2, a 300 MW AI data center with 110,000 GPUs",
     "link": "https://chips.example/colossus-2", "pubDate": "Tue, 24 Nov 2026 08:00:00 GMT",
     "description": "xAI has switched on Colossus 2 in Memphis, Tennessee, a 300 MW AI cluster "
                    "with 110,000 Nvidia GB200 GPUs."},
]


@pytest.fixture
def stored(env: Path) -> Path:
    rules = Path(__file__).parents[1] / "data" / "rules"
    (env / "monitor.toml").write_text(f'rules = "{rules}"\ntimezone = "UTC"\n', encoding="utf-8")
    (env / "week.xml").write_bytes(rss(WEEK, title="Week"))
    assert invoke("scan", "--feed", "week.xml", "--no-full-text").exit_code == 0
    return env


def test_stored_stories_as_csv_one_column_per_field(stored: Path) -> None:
    result = invoke("facts", "--stored", "--since", "7d", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["date", "title", "url", "sources", "power_mw", "investment", "gpus",
                             "chips", "companies", "places", "status"]
    hyperion, colossus = rows  # two outlets, one story
    assert hyperion["date"] == "2026-11-23" and hyperion["url"] == WEEK[0]["link"]
    assert hyperion["sources"] == "Week"
    assert (hyperion["power_mw"], hyperion["investment"], hyperion["status"]) == \
        ("5000", "USD 27000000000", "financed")
    assert hyperion["companies"] == "Meta; Blue Owl"
    assert (colossus["power_mw"], colossus["gpus"], colossus["chips"], colossus["status"]) == \
        ("300", "110000", "GB200", "operational")
    assert colossus["places"] == "Memphis; Tennessee"
    assert len(result.stdout.splitlines()) == 3  # a header and two rows


def test_stored_stories_as_a_plain_table_when_piped_and_as_json(stored: Path) -> None:
    table = invoke("facts", "--stored")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split("\t") == ["date", "title", "figures", "link"]
    assert lines[1].split("\t") == ["2026-11-23", WEEK[0]["title"], "5 GW · $27bn · Richland "
                                    "Parish, Louisiana · financed", WEEK[0]["link"]]
    assert len(lines) == 3
    (first, second) = json.loads(invoke("facts", "--stored", "--format", "json").stdout)
    assert first["figures"] == "5 GW · $27bn · Richland Parish, Louisiana · financed"
    assert first["facts"]["investment"] == [{"amount": 2.7e10, "currency": "USD"}]
    assert first["first_told"] == "2026-11-23T10:00:00Z" and len(first["story"]) == 12
    assert second["facts"]["gpus"] == [110000]


def test_stored_with_nothing_stored_says_so(env: Path) -> None:
    (env / "monitor.toml").write_text('database = "empty.db"\n', encoding="utf-8")
    result = invoke("facts", "--stored", "--since", "24h")
    assert result.exit_code == 0 and result.stdout == ""
    assert "No stored stories in the last 24h" in result.stderr
    assert invoke("facts", "--stored", "--format", "csv").stdout.startswith("date,title,url,")
    assert json.loads(invoke("facts", "--stored", "--format", "json").stdout) == []


@pytest.mark.parametrize(("args", "message"), [
    (["facts", "--stored", "a.txt"], "--stored reads the store, not inputs"),
    (["facts"], "give one or more inputs (URL, PATH or -), or --stored"),
    (["facts", "a.txt", "--since", "7d"], "--since goes with --stored"),
    (["facts", "a.txt", "--format", "csv"], "--format csv does not go with inputs; use text or "
                                            "json"),
    (["facts", "--stored", "--format", "text"], "use table or csv or json"),
    (["facts", "--stored", "--since", "soon"], "'soon' is not a duration"),
])
def test_usage_errors(env: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and message in result.stderr
