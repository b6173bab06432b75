"""The config schema: types, unknown keys, required keys, and the line of each."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from monitor.config_check import Locator, check_data

TEXT = """\
rules = "rules"            # top level
[fetch]
timeout = 5
per_host = true

[[channels]]
name = "first"
rules = ["a"]

[[channels]]
rules = "b"
max_stories = 1.5
"""


def check(text: str) -> tuple[dict[str, object], list[str]]:
    clean, problems = check_data(tomllib.loads(text), Locator(Path("m.toml"), text))
    return clean, [str(p) for p in problems]


def test_each_problem_names_its_line_and_the_good_values_are_kept() -> None:
    clean, problems = check(TEXT)
    assert problems == [
        "m.toml:4: 'per_host' in [fetch] must be a whole number, not True",
        "m.toml:11: 'rules' in [[channels]] entry 2 must be a list of strings, not 'b'",
        "m.toml:12: 'max_stories' in [[channels]] entry 2 must be a whole number, not 1.5",
        "m.toml:10: [[channels]] entry 2 needs 'name'",
    ]
    assert clean["fetch"] == {"timeout": 5}
    assert clean["channels"] == [{"name": "first", "rules": ["a"]}]  # the second has no name
    assert clean["rules"] == "rules"


def test_a_key_is_looked_for_in_its_own_table() -> None:
    where = Locator(Path("m.toml"), TEXT)
    assert where.line("rules") == 1
    assert where.line("rules", "channels", 0) == 8
    assert where.line("rules", "channels", 1) == 11
    assert where.line("timeout", "fetch") == 3
    assert where.line("absent", "channels", 1) == 10  # the table's header
    assert where.line("absent", "missing") == 0


@pytest.mark.parametrize(("text", "problem"), [
    ("[fetch]\nproxies = 'x'", "m.toml:2: unknown key 'proxies' in [fetch]; the keys are: "
                               "concurrency, connect_timeout,"),
    ("[fetch]\nproxy = 'ftp://x'", "m.toml:2: [fetch] proxy must be an http:// or https:// "
                                   "proxy URL"),
    ("fetch = 3", "m.toml:1: 'fetch' must be a table ([fetch])"),
    ("feeds = 'x'", "m.toml:1: 'feeds' must be an array of tables ([[feeds]])"),
    ("[full_text]\ncandidate_share = 2", "m.toml:2: 'candidate_share' in [full_text] must be "
                                         "between 0 and 1, not 2"),
    ("[[feeds]]\nurl = 'https://a.example/'\ninterval = '5 minutes'",
     "m.toml:3: '5 minutes' is not a duration like 30m, 24h or 7d (s, m, h, d or w)"),
    ("[[channels]]\nname = 'c'\ntracker = 'mondays'",
     "m.toml:3: 'tracker' in [[channels]] 'c' must be a weekday (mon, tue, wed, thu, fri, sat "
     "or sun), not 'mondays'"),
])
def test_wrong_values(text: str, problem: str) -> None:
    _, problems = check(text)
    assert len(problems) == 1 and problems[0].startswith(problem)


def test_a_toml_syntax_error_names_its_line() -> None:
    text = "a = 1\nb = = 2\n"
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    problem = Locator(Path("m.toml"), text).toml_error(caught.value)
    assert str(problem).startswith("m.toml:2: invalid TOML: ")
