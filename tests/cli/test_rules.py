from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.feedserver import FeedServer, Route, rss

GOOD = """\
id: compute
threshold: 4
signals:
  - name: gigafactories
    terms: ["AI gigafactor*"]
    weight: 5
  - name: data centres
    terms: ["data centre*"]
    weight: 2
require: [["AI", "data centre*"]]
exclude: ["battery gigafactor*"]
examples:
  match: ["EU plans AI gigafactories"]
  no_match: ["Battery gigafactory opens"]
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_CONFIG", "MONITOR_DB"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "compute.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_check_passes_a_good_directory(env: Path) -> None:
    result = invoke("rules", "check")
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 rule, 0 errors, 0 warnings"


def test_check_lists_every_problem_and_exits_1(env: Path) -> None:
    (env / "rules" / "bad.yaml").write_text(
        "id: bad\nthreshold: 50\nsignals:\n  - terms: [ai, '/(/']\n    weight: 2\ncolour: red\n",
        encoding="utf-8")
    (env / "rules" / "compute.yaml").write_text(
        GOOD.replace('match: ["EU plans AI gigafactories"]', 'match: ["Nothing here"]'),
        encoding="utf-8")
    result = invoke("rules", "check")
    assert result.exit_code == 1
    bad = str(env / "rules" / "bad.yaml")
    compute = str(env / "rules" / "compute.yaml")
    errors = result.stdout.splitlines()  # findings go to stdout, errors and warnings alike
    assert result.stderr == ""
    assert f"{bad}:4: term '/(/' in terms of signal group 1: the regular expression does not compile: missing ), unterminated subpattern at position 0" in errors
    assert f"{bad}:6: unknown key 'colour' in the rule; expected one of: channel, description, examples, exclude, fields, id, name, require, seed, signals, threshold" in errors
    assert any(e.startswith(f"{compute}:13: example 'Nothing here' failed: expected match") for e in errors)
    assert errors[-1] == "1 rule, 4 errors, 1 warning"


def test_check_warnings_alone_exit_0(env: Path) -> None:
    (env / "rules" / "compute.yaml").write_text(GOOD.replace('"data centre*"', '"dc"'),
                                                encoding="utf-8")
    result = invoke("rules", "check")
    assert result.exit_code == 0
    assert "warning: term 'dc' is under three letters" in result.stdout


def test_test_prints_a_line_per_case_and_the_hits_of_failures(env: Path) -> None:
    (env / "rules" / "tests").mkdir()
    (env / "rules" / "tests" / "compute.yaml").write_text(
        "rule: compute\ncases:\n  - title: New data centre campus\n    expect: no_match\n"
        "    why: a deliberately wrong expectation\n",
        encoding="utf-8")
    result = invoke("rules", "test")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "PASS compute match: EU plans AI gigafactories" in lines
    assert "PASS compute no_match: Battery gigafactory opens" in lines
    assert any(line.startswith("FAIL compute no_match: New data centre campus") for line in lines)
    assert "     expected no match; score 4 of 4; hits: data centre (title)" in lines
    assert "     why this case: a deliberately wrong expectation" in lines
    assert lines[-1] == "2 passed, 1 failed"


def test_the_shipped_rules_pass_check_and_test() -> None:
    root = str(Path(__file__).parents[2] / "rules")
    assert invoke("rules", "check", root).exit_code == 0
    assert invoke("rules", "test", root).exit_code == 0


def test_explain_text_json_and_markdown(env: Path) -> None:
    text = "EU plans AI gigafactories\nEach one is a data centre for AI."
    plain = invoke("rules", "explain", "compute", "--text", text)
    assert plain.exit_code == 0
    assert "compute: MATCH" in plain.stdout
    assert "score 12 / threshold 4" in plain.stdout
    doc = json.loads(invoke("rules", "explain", "compute", "--text", text, "--format",
                            "json").stdout)
    assert doc["matched"] is True and doc["score"] == 12.0 and doc["threshold"] == 4.0
    giga, dc = doc["groups"]
    assert giga["name"] == "gigafactories" and giga["points"] == 10.0
    assert giga["hits"] == [{"term": "AI gigafactor*", "field": "title",
                             "text": "AI gigafactories", "start": 9, "end": 25}]
    assert dc["points"] == 2.0 and dc["best_field"] == "content"
    assert doc["require"][0]["met"] is True and doc["excluded"] == []
    markdown = invoke("rules", "explain", "compute", "--text", text, "--format",
                      "markdown").stdout
    assert "**title:** EU plans **AI gigafactories**" in markdown
    assert "| gigafactories | 5 | 10 | AI gigafactories (title) |" in markdown


def test_explain_shows_why_not(env: Path) -> None:
    doc = json.loads(invoke("rules", "explain", "compute", "--text",
                            "Battery gigafactory and AI gigafactories", "--format",
                            "json").stdout)
    assert doc["matched"] is False
    assert doc["verdict"] == "NO MATCH: an exclude term hit"
    assert doc["excluded"][0]["text"] == "Battery gigafactory"


def test_explain_a_file_and_a_url(env: Path, feed_server: FeedServer) -> None:
    page = ("<html><head><title>EU plans AI gigafactories</title></head><body><article>"
            "<h1>EU plans AI gigafactories</h1>" + "<p>The plan builds data centres for AI "
            "research across Europe, with public and private money.</p>" * 4 +
            "</article></body></html>")
    (env / "page.html").write_text(page, encoding="utf-8")
    by_file = json.loads(invoke("rules", "explain", "compute", "--file", "page.html",
                                "--format", "json").stdout)
    assert by_file["matched"] is True
    feed_server.routes["/article"] = Route(page.encode(), content_type="text/html")
    by_url = json.loads(invoke("rules", "explain", "compute", "--url",
                               feed_server.url("/article"), "--format", "json").stdout)
    assert by_url["score"] == by_file["score"]


def test_explain_usage_and_unknown_rule(env: Path) -> None:
    assert invoke("rules", "explain", "compute").exit_code == 2
    result = invoke("rules", "explain", "nope", "--text", "x")
    assert result.exit_code == 1 and "no rule with id 'nope'" in result.stderr


def test_seed_drafts_a_rule_that_check_accepts(env: Path) -> None:
    (env / "article.txt").write_text(
        "EU plans AI gigafactories to train very large models\n"
        "The EU wants AI gigafactories with compute capacity for very large models. "
        "Each AI gigafactory needs data centres and power. The compute capacity of the EU "
        "lags behind the US, and data centres take years to build.", encoding="utf-8")
    result = invoke("rules", "seed", "--file", "article.txt", "--id", "seeded")
    assert result.exit_code == 0
    assert "terms: [\"AI gigafactor*\"" in result.stdout
    (env / "rules" / "seeded.yaml").write_text(result.stdout, encoding="utf-8")
    check = invoke("rules", "check")
    assert check.exit_code == 0, check.output


def test_replay_lists_what_a_change_adds_and_drops(env: Path, feed_server: FeedServer) -> None:
    items = [
        {"title": "EU plans AI gigafactories", "link": "https://n.example/1",
         "description": "AI gigafactories for Europe."},
        {"title": "New data centre campus for AI", "link": "https://n.example/2",
         "description": "A data centre."},
        {"title": "Exascale supercomputer switched on", "link": "https://n.example/3",
         "description": "The supercomputer trains AI models."},
    ]
    feed_server.routes["/f"] = Route(rss(items))
    assert invoke("scan", "--feed", feed_server.url("/f"), "--format", "json").exit_code == 0
    changed = env / "changed"
    changed.mkdir()
    (changed / "compute.yaml").write_text(
        GOOD.replace('terms: ["data centre*"]', 'terms: ["supercomputer*"]')
        .replace('["AI", "data centre*"]', '["AI", "supercomputer*"]'), encoding="utf-8")
    result = invoke("rules", "replay", "--since", "all", "--rules", str(changed), "--format",
                    "json")
    assert result.exit_code == 0
    (diff,) = json.loads(result.stdout)
    assert diff["rule"] == "compute"
    assert [r["title"] for r in diff["added"]] == ["Exascale supercomputer switched on"]
    assert [r["title"] for r in diff["dropped"]] == ["New data centre campus for AI"]
    assert diff["unchanged"] == 1
    text = invoke("rules", "replay", "--since", "all", "--rules", str(changed)).stdout
    assert "compute: +1 added, -1 dropped, 0 rescored, 1 unchanged" in text
    assert "+     4  Exascale supercomputer switched on" in text


def test_check_of_a_missing_directory_gives_a_hint_that_fits_the_command(env: Path) -> None:
    result = invoke("rules", "check", "nosuchdir")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "nosuchdir: the rules directory does not exist; check the path",
        "0 rules, 1 error, 0 warnings"]


def test_check_without_a_rules_directory_checks_the_shipped_rules(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    result = invoke("rules", "check")
    assert result.exit_code == 0
    assert result.stdout == ("1 rule, 0 errors, 0 warnings (the shipped rules; `monitor init` "
                             "copies them to edit)\n")
