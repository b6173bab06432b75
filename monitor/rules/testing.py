"""Rule examples and `rules/tests/*.yaml` cases, run like unit tests.

A case file looks like:

    rule: ai-infrastructure
    cases:
      - title: "EU picks five sites for AI gigafactories"
        summary: "..."          # optional, as is content
        expect: match           # or no_match
        why: "the seed story"   # optional
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from monitor.model import Article, Example, Rule
from monitor.rules.lint import Diagnostic
from monitor.rules.match import Evaluation, Matcher

CASE_KEYS = {"title", "summary", "content", "expect", "why"}


@dataclass(frozen=True, slots=True)
class Case:
    rule_id: str
    example: Example
    why: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    evaluation: Evaluation | None  # None when the rule does not exist

    @property
    def passed(self) -> bool:
        if self.evaluation is None:
            return False
        return self.evaluation.matched == self.case.example.expect


def rule_cases(rules: Sequence[Rule]) -> list[Case]:
    """Every rule's own `examples`."""
    return [Case(rule.id, example) for rule in rules
            for example in (*rule.examples.match, *rule.examples.no_match)]


def load_case_files(directory: Path) -> tuple[list[Case], list[Diagnostic]]:
    """Cases from `<rules>/tests/*.yaml`, with a diagnostic per malformed entry."""
    cases: list[Case] = []
    problems: list[Diagnostic] = []
    for path in sorted((directory / "tests").glob("*.y*ml")):
        found, bad = _read_case_file(path)
        cases.extend(found)
        problems.extend(bad)
    return cases, problems


def _read_case_file(path: Path) -> tuple[list[Case], list[Diagnostic]]:
    where = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        return [], [Diagnostic(where, line, f"cannot read the test cases: {exc}")]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("rule"), str) \
            or not isinstance(data.get("cases"), list) or root is None:
        return [], [Diagnostic(where, 1, "a test file needs `rule: ID` and a `cases:` list")]
    cases: list[Case] = []
    problems: list[Diagnostic] = []
    nodes = dict((k.value, v) for k, v in root.value)["cases"].value
    for entry, node in zip(data["cases"], nodes, strict=True):
        line = node.start_mark.line + 1
        problem = _case_problem(entry)
        if problem:
            problems.append(Diagnostic(where, line, problem))
            continue
        example = Example(str(entry.get("title", "")), str(entry.get("summary", "")),
                          str(entry.get("content", "")), entry["expect"] == "match", line, where)
        cases.append(Case(data["rule"], example, str(entry.get("why", ""))))
    return cases, problems


def _case_problem(entry: object) -> str | None:
    if not isinstance(entry, dict):
        return "each case must be a mapping with title/summary/content and expect"
    unknown = set(entry) - CASE_KEYS
    if unknown:
        return f"unknown key {sorted(unknown)[0]!r} in a case; expected {sorted(CASE_KEYS)}"
    if entry.get("expect") not in ("match", "no_match"):
        return "each case needs `expect: match` or `expect: no_match`"
    if not any(isinstance(entry.get(k), str) and entry[k].strip()
               for k in ("title", "summary", "content")):
        return "a case needs a title, summary or content"
    return None


def run_cases(rules: Sequence[Rule], cases: Sequence[Case]) -> list[Outcome]:
    """Evaluate each case against its rule."""
    matcher = Matcher(rules)
    known = {rule.id for rule in rules}
    outcomes = []
    for case in cases:
        if case.rule_id not in known:
            outcomes.append(Outcome(case, None))
            continue
        e = case.example
        article = Article(uid=f"{e.path}:{e.line}", url="", title=e.title, summary=e.summary,
                          content=e.content)
        outcomes.append(Outcome(case, matcher.explain(case.rule_id, article)))
    return outcomes


def failure_message(outcome: Outcome) -> str:
    """Why a case failed, in one line: expected, got, score and hits."""
    case = outcome.case
    if outcome.evaluation is None:
        return f"no rule with id {case.rule_id!r}"
    ev = outcome.evaluation
    want = "match" if case.example.expect else "no match"
    hits = ", ".join(f"{h.text} ({h.field})" for g in ev.groups for h in g.hits) or "no hits"
    reasons = [f"score {ev.score:g} of {ev.rule.threshold:g}"]
    if not ev.required:
        missing = [" | ".join(r.terms) for r in ev.require if not r.hits]
        reasons.append("require not met: " + "; ".join(missing))
    if ev.excluded:
        reasons.append("excluded by " + ", ".join(sorted({h.text for h in ev.excluded})))
    return f"expected {want}; {', '.join(reasons)}; hits: {hits}"
