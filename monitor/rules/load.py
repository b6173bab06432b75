"""Read rule files: YAML nodes (which keep their line numbers) to validated Rules.

Every problem becomes a Diagnostic naming file and line; loading never stops at the
first one, so `monitor rules check` can list them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from monitor.errors import RuleError
from monitor.model import FIELDS, Example, Examples, Rule, SignalGroup
from monitor.rules.lint import Diagnostic, lint_rule, unreachable
from monitor.rules.terms import TermSyntaxError, compile_term

RULE_KEYS = {"id", "name", "description", "seed", "threshold", "fields", "signals", "require",
             "exclude", "channel", "examples"}
SIGNAL_KEYS = {"terms", "weight", "near", "name"}
NEAR_KEYS = {"terms", "within"}
EXAMPLE_KEYS = {"match", "no_match"}
CASE_KEYS = {"title", "summary", "content"}
_ID = re.compile(r"^[a-z0-9-]+$")
Node = yaml.Node


@dataclass(slots=True)
class RuleSet:
    """The rules that loaded, and every diagnostic found on the way."""

    rules: list[Rule] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "warning"]


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a directory: *.yaml and *.yml, not those under tests/."""
    return sorted(p for p in directory.glob("*.y*ml") if p.is_file())


_ID_LINE = re.compile(r"""^id:\s*["']?([a-z0-9-]+)["']?\s*(?:#.*)?$""", re.MULTILINE)


def declared_ids(directory: Path) -> set[str] | None:
    """The rule ids a directory declares, read from each file's `id:` line without parsing
    YAML; None when a file's id cannot be read that way (then only loading can tell)."""
    ids = set()
    for path in rule_files(directory):
        try:
            found = _ID_LINE.search(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None
        if found is None:
            return None
        ids.add(found[1])
    return ids


def load_rules(directory: str | Path) -> RuleSet:
    """Load and validate every rule file in `directory`; never raises on bad content."""
    root = Path(directory)
    result = RuleSet()
    if not root.is_dir():
        result.diagnostics.append(Diagnostic(str(root), 0, "the rules directory does not exist; "
                                             "check the path"))
        return result
    seen: dict[str, str] = {}
    for path in rule_files(root):
        rule, problems = parse_rule_file(path)
        result.diagnostics.extend(problems)
        if rule is None:
            continue
        if rule.id in seen:
            result.diagnostics.append(Diagnostic(str(path), _id_line(path), f"duplicate rule id "
                                                 f"{rule.id!r}, also used in {seen[rule.id]}"))
            continue
        seen[rule.id] = str(path)
        result.rules.append(rule)
    return result


def load_rules_strict(directory: str | Path) -> list[Rule]:
    """Load rules or raise RuleError for the first error (file:line: message)."""
    result = load_rules(directory)
    if result.errors:
        first = result.errors[0]
        more = len(result.errors) - 1
        tail = f" ({more} more; run `monitor rules check`)" if more else ""
        raise RuleError(first.message + tail, first.path, first.line)
    return result.rules


def _id_line(path: Path) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("id:"):
            return number
    return 1


def parse_rule_file(path: Path) -> tuple[Rule | None, list[Diagnostic]]:
    """One rule file to a Rule (None when it has errors) and its diagnostics."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(str(path), 0, f"cannot read the file: {exc}")]
    return parse_rule_text(text, str(path))


def parse_rule_text(text: str, path: str) -> tuple[Rule | None, list[Diagnostic]]:
    reader = _Reader(path)
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Diagnostic(path, line, f"invalid YAML: {exc.problem or exc}")]
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        return None, [Diagnostic(path, line, "a rule file must be a mapping with id, threshold "
                                 "and signals")]
    rule = reader.rule(root)
    if rule is not None:
        reader.problems.extend(lint_rule(rule, reader.lines))
        problem = unreachable(rule)
        if problem:
            reader.error(root, problem)
    if any(d.level == "error" for d in reader.problems):
        rule = None
    return rule, reader.problems


class _Reader:
    """Walks the YAML node tree of one rule file, recording problems with their lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Diagnostic] = []
        self.lines: dict[str, int] = {}  # term -> first line it appears on

    def error(self, node: Node, message: str) -> None:
        self.problems.append(Diagnostic(self.path, node.start_mark.line + 1, message))

    def mapping(self, node: Node, allowed: set[str], what: str) -> dict[str, Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping")
            return None
        out: dict[str, Node] = {}
        for key, value in node.value:
            name = str(key.value)
            if name in out:
                self.error(key, f"duplicate key {name!r} in {what}")
            elif name not in allowed:
                hint = ", ".join(sorted(allowed))
                self.error(key, f"unknown key {name!r} in {what}; expected one of: {hint}")
            out[name] = value
        return out

    def scalar(self, node: Node) -> Any:
        loader = yaml.SafeLoader("")
        try:
            return loader.construct_object(node, deep=True)
        finally:
            loader.dispose()

    def string(self, node: Node | None, what: str, *, required: bool = False) -> str:
        if node is None:
            return ""
        value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(node, f"{what} must be {'a non-empty' if required else 'a'} string")
            return ""
        return value

    def number(self, node: Node, what: str) -> float | None:
        value = self.scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(node, f"{what} must be a number")
            return None
        return float(value)

    def items(self, node: Node, what: str, *, empty_ok: bool = False) -> Iterator[Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"{what} must be a list")
            return
        if not node.value and not empty_ok:
            self.error(node, f"{what} is empty")
        yield from node.value

    def terms(self, node: Node, what: str, *, empty_ok: bool = False) -> tuple[str, ...]:
        out = []
        for item in self.items(node, what, empty_ok=empty_ok):
            term = self.string(item, f"each term in {what}", required=True)
            if not term:
                continue
            try:
                compile_term(term)
            except TermSyntaxError as exc:
                self.error(item, f"term {term!r} in {what}: {exc}")
                continue
            self.lines.setdefault(term, item.start_mark.line + 1)
            out.append(term)
        return tuple(out)

    def rule(self, root: Node) -> Rule | None:
        keys = self.mapping(root, RULE_KEYS, "the rule")
        if keys is None:
            return None
        for needed in ("id", "threshold", "signals"):
            if needed not in keys:
                self.error(root, f"missing required key {needed!r}")
        rule_id = self.string(keys.get("id"), "id", required="id" in keys)
        if rule_id and not _ID.match(rule_id):
            self.error(keys["id"], f"id {rule_id!r} may only use a-z, 0-9 and '-'")
        threshold = self.number(keys["threshold"], "threshold") if "threshold" in keys else None
        if threshold is not None and threshold <= 0:
            self.error(keys["threshold"], "threshold must be above 0")
        signals = tuple(self.signal(n, i) for i, n in
                        enumerate(self.items(keys["signals"], "signals"), 1)) if "signals" in keys \
            else ()
        return Rule(
            id=rule_id, threshold=threshold or 0.0,
            signals=tuple(s for s in signals if s is not None),
            name=self.string(keys.get("name"), "name"),
            description=self.string(keys.get("description"), "description"),
            seed=self.string(keys.get("seed"), "seed"),
            channel=self.string(keys.get("channel"), "channel"),
            fields=self.fields(keys["fields"]) if "fields" in keys else {},
            require=self.require(keys["require"]) if "require" in keys else (),
            exclude=self.terms(keys["exclude"], "exclude", empty_ok=True)
            if "exclude" in keys else (),
            examples=self.examples(keys["examples"]) if "examples" in keys else Examples(),
            path=self.path,
        )

    def signal(self, node: Node, number: int) -> SignalGroup | None:
        what = f"signal group {number}"
        keys = self.mapping(node, SIGNAL_KEYS, what)
        if keys is None:
            return None
        if "terms" not in keys or "weight" not in keys:
            self.error(node, f"{what} needs both 'terms' and 'weight'")
            return None
        weight = self.number(keys["weight"], f"weight of {what}")
        if weight == 0:
            self.error(keys["weight"], f"weight of {what} is 0, so it can never count")
        near, within = self.near(keys["near"], what) if "near" in keys else ((), 0)
        return SignalGroup(self.terms(keys["terms"], f"terms of {what}"), weight or 0.0,
                           near, within, self.string(keys.get("name"), f"name of {what}"))

    def near(self, node: Node, what: str) -> tuple[tuple[str, ...], int]:
        keys = self.mapping(node, NEAR_KEYS, f"near of {what}")
        if keys is None:
            return (), 0
        if "terms" not in keys or "within" not in keys:
            self.error(node, f"near of {what} needs both 'terms' and 'within'")
            return (), 0
        within = self.scalar(keys["within"]) if isinstance(keys["within"], yaml.ScalarNode) \
            else None
        if isinstance(within, bool) or not isinstance(within, int) or within < 1:
            self.error(keys["within"], f"near.within of {what} must be a whole number of words "
                       "above 0")
            within = 0
        return self.terms(keys["terms"], f"near of {what}"), within

    def fields(self, node: Node) -> dict[str, float]:
        keys = self.mapping(node, set(FIELDS), "fields")
        out: dict[str, float] = {}
        for name, value in (keys or {}).items():
            weight = self.number(value, f"fields.{name}")
            if weight is not None and weight < 0:
                self.error(value, f"fields.{name} must not be negative")
            elif weight is not None and name in FIELDS:
                out[name] = weight
        return out

    def require(self, node: Node) -> tuple[tuple[str, ...], ...]:
        groups = list(self.items(node, "require"))
        if groups and all(isinstance(g, yaml.ScalarNode) for g in groups):
            # A flat list reads naturally as one group of alternatives.
            return (self.terms(node, "require"),)
        return tuple(self.terms(g, f"require group {i}") for i, g in enumerate(groups, 1))

    def examples(self, node: Node) -> Examples:
        keys = self.mapping(node, EXAMPLE_KEYS, "examples")
        if keys is None:
            return Examples()
        return Examples(
            match=self.cases(keys["match"], True) if "match" in keys else (),
            no_match=self.cases(keys["no_match"], False) if "no_match" in keys else (),
        )

    def cases(self, node: Node, expect: bool) -> tuple[Example, ...]:
        found = (self.case(n, expect) for n in self.items(node, "examples", empty_ok=True))
        return tuple(c for c in found if c is not None)

    def case(self, node: Node, expect: bool) -> Example | None:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            title = self.string(node, "an example", required=True)
            return Example(title, expect=expect, line=line, path=self.path) if title else None
        keys = self.mapping(node, CASE_KEYS, "an example")
        if keys is None:
            return None
        texts = {k: self.string(v, f"example {k}") for k, v in keys.items() if k in CASE_KEYS}
        if not any(texts.values()):
            self.error(node, "an example needs a title, summary or content")
            return None
        return Example(texts.get("title", ""), texts.get("summary", ""), texts.get("content", ""),
                       expect, line, self.path)
