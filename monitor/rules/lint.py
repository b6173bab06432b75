"""Likely mistakes in a rule that still loads: warnings, not errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from monitor.model import Rule
from monitor.rules.terms import is_case_sensitive, is_regex, words

_BOUNDARY = re.compile(r"\\b|\(\?<?[=!]|\\W|\^|\$")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem in a rule file. Errors stop a rule from loading; warnings do not."""

    path: str
    line: int
    message: str
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else "warning: "
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {prefix}{self.message}"


def max_score(rule: Rule) -> float:
    """The highest score any article can reach: every positive group at the best field."""
    best_field = max(rule.field_weights().values(), default=0.0)
    return sum(g.weight * best_field for g in rule.signals if g.weight > 0)


def unreachable(rule: Rule) -> str | None:
    """A sentence when no combination of signals can reach the threshold."""
    top = max_score(rule)
    if rule.signals and top < rule.threshold:
        return (f"threshold {rule.threshold:g} can never be reached: all signal groups together "
                f"score at most {top:g}")
    return None


def lint_rule(rule: Rule, lines: Mapping[str, int]) -> list[Diagnostic]:
    """Warnings for terms that probably do not do what the author meant."""
    out: list[Diagnostic] = []

    def warn(term: str, message: str) -> None:
        out.append(Diagnostic(rule.path, lines.get(term, 0), message, "warning"))

    excluded = {t.lower() for t in rule.exclude}
    seen: set[str] = set()
    for group in rule.signals:
        for term in (*group.terms, *group.near):
            if term in seen:
                continue
            seen.add(term)
            if term.lower() in excluded:
                warn(term, f"term {term!r} is also in exclude, so it can never count")
            message = term_warning(term)
            if message:
                warn(term, message)
    for alternatives in rule.require:
        for term in alternatives:
            if term.lower() in excluded:
                warn(term, f"required term {term!r} is also in exclude")
    return out


def term_warning(term: str) -> str | None:
    """Why a single term looks like a mistake, or None."""
    if is_regex(term):
        if not _BOUNDARY.search(term):
            return (f"regex {term} has no word boundary (\\b), so it also matches inside longer "
                    "words")
        return None
    parts = words(term)
    letters = sum(c.isalnum() for w in parts for c in w)
    if letters < 3 and not all(is_case_sensitive(w) for w in parts):
        return (f"term {term!r} is under three letters and ignores case, so it matches many "
                f"words; write it in capitals ({term.upper()!r}) to match only the acronym")
    return None
