"""`rules check`: every error and warning, with its file and line (table-driven)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import RuleError
from monitor.rules.load import load_rules, load_rules_strict, parse_rule_text

GOOD = """\
id: good
threshold: 4
signals:
  - terms: ["AI gigafactor*", "data centre"]
    weight: 5
"""


def problems(text: str) -> list[str]:
    _, found = parse_rule_text(text, "r.yaml")
    return [str(d) for d in found]


def test_a_good_rule_loads() -> None:
    rule, found = parse_rule_text(GOOD, "r.yaml")
    assert found == []
    assert rule is not None and rule.id == "good" and rule.threshold == 4
    assert rule.signals[0].terms == ("AI gigafactor*", "data centre")


@pytest.mark.parametrize(("text", "expected"), [
    ("id: [x\n", "r.yaml:2: invalid YAML"),
    ("- a list\n", "r.yaml:1: a rule file must be a mapping"),
    (GOOD + "colour: red\n", "r.yaml:6: unknown key 'colour' in the rule"),
    (GOOD.replace("id: good", "id: Good_Rule"), "r.yaml:1: id 'Good_Rule' may only use"),
    (GOOD.replace("threshold: 4", "threshold: high"), "r.yaml:2: threshold must be a number"),
    (GOOD.replace("threshold: 4", "threshold: 0"), "r.yaml:2: threshold must be above 0"),
    (GOOD.replace("threshold: 4", "threshold: 99"), "threshold 99 can never be reached"),
    ("id: x\nthreshold: 1\n", "r.yaml:1: missing required key 'signals'"),
    ("id: x\nthreshold: 1\nsignals: []\n", "r.yaml:3: signals is empty"),
    (GOOD.replace('["AI gigafactor*", "data centre"]', "[]"), "r.yaml:4: terms of signal group 1 is empty"),
    (GOOD.replace("weight: 5", "weight: lots"), "r.yaml:5: weight of signal group 1 must be a number"),
    (GOOD.replace("weight: 5", "weight: 0"), "r.yaml:5: weight of signal group 1 is 0"),
    (GOOD.replace("    weight: 5\n", ""), "r.yaml:4: signal group 1 needs both 'terms' and 'weight'"),
    (GOOD.replace('"data centre"', '"/(unclosed/"'), "r.yaml:4: term '/(unclosed/' in terms of signal group 1: the regular expression does not compile"),
    (GOOD.replace('"data centre"', '"/a*/"'), "can match the empty string"),
    (GOOD.replace('"data centre"', '"/x|/"'), "can match the empty string"),
    (GOOD.replace('"data centre"', '"gi*ga"'), "`*` may only end a word"),
    (GOOD.replace('"data centre"', "3"), "each term in terms of signal group 1 must be a non-empty string"),
    (GOOD + "    near: {terms: [AI], within: 0}\n", "r.yaml:6: near.within of signal group 1 must be"),
    (GOOD + "    near: {terms: [AI]}\n", "near of signal group 1 needs both"),
    (GOOD + "require: [[]]\n", "require group 1 is empty"),
    (GOOD + "exclude: battery\n", "r.yaml:6: exclude must be a list"),
    (GOOD + "fields: {title: -1}\n", "fields.title must not be negative"),
    (GOOD + "fields: {body: 2}\n", "unknown key 'body' in fields"),
    (GOOD + "examples: {match: [{title: 1, summary: 2}]}\n", "example title must be a string"),
    (GOOD + "examples: {maybe: [x]}\n", "unknown key 'maybe' in examples"),
    (GOOD + "id: again\n", "duplicate key 'id'"),
])
def test_errors_name_file_and_line(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found
    rule, _ = parse_rule_text(text, "r.yaml")
    assert rule is None


@pytest.mark.parametrize(("term", "expected"), [
    ("ai", "term 'ai' is under three letters and ignores case"),
    ("/gpu/", "regex /gpu/ has no word boundary"),
])
def test_warnings_for_likely_mistakes(term: str, expected: str) -> None:
    text = GOOD.replace('"data centre"', f'"{term}"')
    rule, found = parse_rule_text(text, "r.yaml")
    assert rule is not None  # warnings do not stop a rule
    assert [d.level for d in found] == ["warning"]
    assert expected in str(found[0]) and str(found[0]).startswith("r.yaml:4: warning: ")


def test_a_term_also_excluded_is_a_warning() -> None:
    _, found = parse_rule_text(GOOD + 'exclude: ["data centre"]\n', "r.yaml")
    assert any("also in exclude" in str(d) and d.line == 4 for d in found)


@pytest.mark.parametrize("term", ["AI", "EU", "/\\bH100\\b/", "GPU*", "data centre"])
def test_no_warning_for_good_terms(term: str) -> None:
    _, found = parse_rule_text(GOOD.replace('"data centre"', f"'{term}'"), "r.yaml")
    assert found == []


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    result = load_rules(tmp_path)
    assert len(result.rules) == 1
    (error,) = result.errors
    assert str(error) == f"{tmp_path / 'b.yaml'}:1: duplicate rule id 'good', also used in " \
                         f"{tmp_path / 'a.yaml'}"


def test_all_errors_at_once_and_strict_raises_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD + "x: 1\ny: 2\n", encoding="utf-8")
    result = load_rules(tmp_path)
    assert len(result.errors) == 2
    with pytest.raises(RuleError, match=r"a.yaml:6: unknown key 'x'.*\(1 more; run"):
        load_rules_strict(tmp_path)


def test_a_flat_require_list_is_one_group() -> None:
    rule, _ = parse_rule_text(GOOD + 'require: ["AI", "GPU*"]\n', "r.yaml")
    assert rule is not None and rule.require == (("AI", "GPU*"),)


def test_examples_as_strings_and_mappings() -> None:
    text = GOOD + ("examples:\n  match:\n    - AI gigafactory plan\n"
                   "    - {title: Plan, content: a new data centre}\n"
                   "  no_match: [Battery plant]\n")
    rule, found = parse_rule_text(text, "r.yaml")
    assert found == [] and rule is not None
    first, second = rule.examples.match
    assert (first.title, first.line, first.expect) == ("AI gigafactory plan", 8, True)
    assert (second.title, second.content) == ("Plan", "a new data centre")
    assert rule.examples.no_match[0].expect is False


def test_the_shipped_rules_load_without_errors() -> None:
    shipped = Path(__file__).parents[2] / "rules"
    result = load_rules(shipped)
    assert result.errors == []
    assert "ai-infrastructure" in {r.id for r in result.rules}
