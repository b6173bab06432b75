from __future__ import annotations

from pathlib import Path

from monitor.rules.load import load_rules_strict
from monitor.rules.testing import (
    failure_message,
    load_case_files,
    rule_cases,
    run_cases,
)

RULE = """\
id: compute
threshold: 4
signals:
  - terms: ["AI gigafactor*"]
    weight: 5
  - terms: ["data centre*"]
    weight: 2
require: [["AI", "data centre*"]]
exclude: ["battery gigafactor*"]
examples:
  match: ["EU plans AI gigafactories"]
  no_match: ["Battery gigafactory opens"]
"""
CASES = """\
rule: compute
cases:
  - title: "New data centre campus"
    expect: no_match
    why: "deliberately wrong: a title hit on data centre reaches the threshold"
  - title: "Battery gigafactory and AI gigafactories"
    expect: no_match
  - summary: "AI gigafactories across Europe"
    expect: match
  - title: "nothing relevant"
    expect: maybe
"""


def setup(tmp_path: Path) -> Path:
    (tmp_path / "compute.yaml").write_text(RULE, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "compute.yaml").write_text(CASES, encoding="utf-8")
    return tmp_path


def test_examples_and_case_files_run_like_unit_tests(tmp_path: Path) -> None:
    root = setup(tmp_path)
    rules = load_rules_strict(root)
    cases, problems = load_case_files(root)
    assert [str(p) for p in problems] == [
        f"{root / 'tests' / 'compute.yaml'}:10: each case needs `expect: match` or "
        "`expect: no_match`"]
    outcomes = run_cases(rules, rule_cases(rules) + cases)
    assert [o.passed for o in outcomes] == [True, True, False, True, True]
    failed = outcomes[2]
    assert failed.case.example.line == 3
    assert failure_message(failed) == "expected no match; score 4 of 4; hits: data centre (title)"


def test_failure_messages_say_why(tmp_path: Path) -> None:
    root = setup(tmp_path)
    rules = load_rules_strict(root)
    cases, _ = load_case_files(root)
    by_title = {o.case.example.title: o for o in run_cases(rules, cases)}
    assert by_title["Battery gigafactory and AI gigafactories"].passed
    vetoed = run_cases(rules, [cases[1]])[0].evaluation
    assert vetoed is not None and not vetoed.matched
    assert [h.text for h in vetoed.excluded] == ["Battery gigafactory"]


def test_an_unknown_rule_fails(tmp_path: Path) -> None:
    root = setup(tmp_path)
    (root / "tests" / "other.yaml").write_text("rule: nope\ncases:\n  - title: x\n    "
                                               "expect: match\n", encoding="utf-8")
    rules = load_rules_strict(root)
    cases, _ = load_case_files(root)
    outcome = next(o for o in run_cases(rules, cases) if o.case.rule_id == "nope")
    assert not outcome.passed and failure_message(outcome) == "no rule with id 'nope'"


def test_the_shipped_rules_pass_their_examples_and_cases() -> None:
    """A rule change that breaks an example fails the project's own tests."""
    root = Path(__file__).parents[2] / "rules"
    rules = load_rules_strict(root)
    cases, problems = load_case_files(root)
    assert problems == []
    failures = [f"{o.case.example.path}:{o.case.example.line}: {failure_message(o)}"
                for o in run_cases(rules, rule_cases(rules) + cases) if not o.passed]
    assert failures == []
