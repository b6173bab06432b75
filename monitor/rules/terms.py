"""The term syntax: how one term in a rule file becomes a pattern.

- a plain term matches whole words, case-insensitively, with any run of whitespace or
  hyphens between its words ("data centre" finds "data-centre");
- a trailing `*` on a word matches word endings ("gigafactor*" finds "gigafactories");
- a word written in capitals ("AI", "GPU*", "H100") matches case-sensitively;
- `/.../` is a regular expression (`/.../i` ignores case).

Each term also gets its anchors: folded literals (see `fold`) one of which starts every
match. A TermIndex keys all terms by their anchors in one Aho-Corasick automaton, so a
text is scanned once whatever the number of terms, and a term's exact pattern is only
tried where an anchor occurs (and, for plain terms, where a word starts).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick

# Hyphen-minus, Unicode hyphens and dashes that join compound words in news copy.
_JOINERS = "\\-\u2010\u2011\u2012\u2013"
SEPARATOR = f"[\\s{_JOINERS}]+"
_SPLIT = re.compile(f"[\\s{_JOINERS}]+")
# A regex that matches nothing somewhere in this text would hit every article.
_EMPTY_PROBE = "\n Ab-1 cD\u00e9. x, "
_REGEX_TERM = re.compile(r"^/(?P<body>.+)/(?P<flags>i?)$", re.DOTALL)

# Lower-case letters that `re` treats as equal when ignoring case although str.lower()
# keeps them apart (re/_casefix.py in CPython). `fold` maps each class to one member.
_CASE_CLASSES = (
    "i\u0131", "s\u017f", "\u00b5\u03bc", "\u0345\u03b9\u1fbe", "\u0390\u1fd3", "\u03b0\u1fe3",
    "\u03b2\u03d0", "\u03b5\u03f5", "\u03b8\u03d1", "\u03ba\u03f0", "\u03c0\u03d6",
    "\u03c1\u03f1", "\u03c2\u03c3", "\u03c6\u03d5", "\u0432\u1c80", "\u0434\u1c81",
    "\u043e\u1c82", "\u0441\u1c83", "\u0442\u1c84\u1c85", "\u044a\u1c86", "\u0463\u1c87",
    "\u1c88\ua64b", "\u1e61\u1e9b", "\ufb05\ufb06",
)
_MAX_PREFIXES = 16

Span = tuple[int, int]
Spans = dict[int, list[Span]]  # term index -> match spans, in order


def _representative(members: str) -> str:
    # Prefer the letter that upper-cases and back to itself: "s", not the long s.
    return next((c for c in sorted(members) if c.upper().lower() == c), min(members))


_FOLD_TABLE = {ord(c): _representative(m) for m in _CASE_CLASSES for c in m
               if c != _representative(m)}
_FOLDABLE = re.compile("[" + "".join(map(chr, _FOLD_TABLE)) + "]")


def fold(text: str) -> str:
    """Lower-case `text` one character for one, so letters `re` matches ignoring case agree.

    str.lower() alone turns "İ" into two characters (offsets would drift) and keeps
    "ı"/"i" and "ς"/"σ" apart although a case-insensitive pattern matches both.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        # U+0130 is the only character whose lower case is longer; re lowers it to "i".
        lowered = text.replace("\u0130", "i").lower()
    if not lowered.isascii() and _FOLDABLE.search(lowered):
        lowered = lowered.translate(_FOLD_TABLE)
    return lowered


@dataclass(frozen=True, slots=True)
class Term:
    """A compiled term.

    `anchors` are folded literals one of which starts every match; `anchor` is the only
    one, or "". A regex without them may have `gates`: folded literals one of which is
    somewhere in every match. With neither, the term is searched in full.
    """

    source: str
    pattern: re.Pattern[str]
    anchor: str
    is_regex: bool
    anchors: tuple[str, ...] = ()
    gates: tuple[str, ...] = ()


class TermSyntaxError(ValueError):
    """The term cannot be compiled; the message says why."""


def is_regex(term: str) -> bool:
    return _REGEX_TERM.match(term) is not None


def words(term: str) -> list[str]:
    """The words of a plain term, as written."""
    return [w for w in _SPLIT.split(term.strip()) if w]


def is_case_sensitive(word: str) -> bool:
    """A word with letters and none of them lower-case ("AI", "H100") keeps its case."""
    core = word.rstrip("*")
    return any(c.isalpha() for c in core) and not any(c.islower() for c in core)


def _word_pattern(word: str) -> str:
    star = word.endswith("*")
    core = word.rstrip("*")
    if not core:
        raise TermSyntaxError("a `*` must follow some letters")
    if "*" in core:
        raise TermSyntaxError("`*` may only end a word; use /regex/ for more")
    piece = re.escape(core) if is_case_sensitive(core) else f"(?i:{re.escape(core)})"
    return piece + (r"\w*" if star else "")


def compile_term(term: str) -> Term:
    """Compile one term; raises TermSyntaxError with a readable reason."""
    found = _REGEX_TERM.match(term)
    if found:
        return _compile_regex(term, found["body"], found["flags"])
    parts = words(term)
    if not parts:
        raise TermSyntaxError("the term is empty")
    body = SEPARATOR.join(_word_pattern(w) for w in parts)
    # Lookarounds instead of \b so a term that starts or ends with a symbol ("C++",
    # "$500") still only matches whole words.
    pattern = re.compile(rf"(?<!\w){body}(?!\w)")
    anchor = fold(parts[0].rstrip("*"))
    return Term(term, pattern, anchor, False, (anchor,))


def _compile_regex(term: str, body: str, flags: str) -> Term:
    try:
        pattern = re.compile(body, re.IGNORECASE if flags else 0)
    except re.error as exc:
        raise TermSyntaxError(f"the regular expression does not compile: {exc}") from None
    parsed = _parse(pattern)
    if _can_match_empty(pattern, parsed):
        raise TermSyntaxError("the regular expression can match the empty string")
    literals, at_start = _regex_literals(parsed) if parsed is not None else ((), False)
    if at_start:
        return Term(term, pattern, literals[0] if len(literals) == 1 else "", True, literals)
    return Term(term, pattern, "", True, (), literals)


def _parse(pattern: re.Pattern[str]) -> Any | None:
    """CPython's own parse tree of a pattern (a private module), or None without it."""
    try:
        return importlib.import_module("re._parser").parse(pattern.pattern, pattern.flags)
    except Exception:  # any surprise costs speed (no anchors), never a match
        return None


def _can_match_empty(pattern: re.Pattern[str], parsed: Any | None) -> bool:
    # An empty match would hit every article; the parse tree knows the least width.
    if parsed is not None:
        return bool(parsed.getwidth()[0] == 0)
    return pattern.fullmatch("") is not None or any(
        m.start() == m.end() for m in pattern.finditer(_EMPTY_PROBE))


def _regex_literals(parsed: Any) -> tuple[tuple[str, ...], bool]:
    """Folded literals one of which is in every match of a parsed regex, and whether one
    starts every match; ((), False) when there is no such literal."""
    items = list(parsed)
    # The literal run starting at each item of the top-level sequence: every item is in
    # every match, so each run is too.
    runs = [_extend(items[k:], {""})[0] for k in range(len(items))]
    usable = [tuple(sorted(run)) for run in runs if "" not in run and len(run) <= _MAX_PREFIXES]
    if runs and "" not in runs[0] and len(runs[0]) <= _MAX_PREFIXES:
        return tuple(sorted(runs[0])), True
    if not usable:
        return (), False
    return max(usable, key=_selectivity), False


def _selectivity(run: tuple[str, ...]) -> tuple[int, int]:
    """Longer literals raise fewer false alarms; fewer alternatives, fewer still."""
    return min(map(len, run)), -len(run)


def _extend(items: list[Any], prefixes: set[str]) -> tuple[set[str], bool]:
    """`prefixes` extended by the literal start of `items`; True when all of it was literal."""
    for op, arg in items:
        name = getattr(op, "name", "")
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # zero-width: consumes nothing, so the match starts at the next item
        chars = _literal_chars(name, arg)
        if chars is not None and len(prefixes) * len(chars) <= _MAX_PREFIXES:
            prefixes = {p + fold(c) for p in prefixes for c in chars}
            continue
        if name == "SUBPATTERN":
            prefixes, complete = _extend(list(arg[-1]), prefixes)
            if complete:
                continue
        elif name == "BRANCH":
            ends = [_extend(list(branch), prefixes) for branch in arg[1]]
            merged = set().union(*(p for p, _ in ends))
            if len(merged) <= _MAX_PREFIXES:
                prefixes = merged
                if all(complete for _, complete in ends):
                    continue
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            prefixes, _ = _extend(list(arg[2]), prefixes)
        return prefixes, False
    return prefixes, True


def _literal_chars(name: str, arg: Any) -> list[str] | None:
    """The characters one LITERAL or small [class] item matches, or None."""
    if name == "LITERAL":
        return [chr(arg)]
    if name != "IN":
        return None
    chars: list[str] = []
    for op, value in arg:
        kind = getattr(op, "name", "")
        if kind == "LITERAL":
            chars.append(chr(value))
        elif kind == "RANGE" and value[1] - value[0] < _MAX_PREFIXES:
            chars.extend(map(chr, range(value[0], value[1] + 1)))
        else:
            return None  # NEGATE, CATEGORY (\d, \w) or a wide range
    return chars


class TermIndex:
    """Finds every term of a list in a text, as each term's re.finditer would."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = tuple(terms)
        self._unsearchable = tuple(i for i, t in enumerate(self.terms)
                                   if not t.anchors and not t.gates)
        self._automaton = self._build_automaton()

    def _build_automaton(self) -> ahocorasick.Automaton | None:
        # Per key: plain terms (tried where a word starts), regexes (tried anywhere) and
        # regexes the key only gates (searched in full once any of their keys is seen).
        keys: dict[str, tuple[list[int], list[int], list[int]]] = {}
        for i, term in enumerate(self.terms):
            for anchor in term.anchors:
                keys.setdefault(anchor, ([], [], []))[term.is_regex].append(i)
            for gate in term.gates:
                keys.setdefault(gate, ([], [], []))[2].append(i)
        if not keys:
            return None
        automaton = ahocorasick.Automaton()
        for key, (plain, regexes, gated) in keys.items():
            automaton.add_word(key, (len(key), tuple(plain), tuple(regexes), tuple(gated)))
        automaton.make_automaton()
        return automaton

    def find(self, text: str) -> Spans:
        """Every term's match spans in `text`, keyed by term index."""
        spans: Spans = {}
        if not text:
            return spans
        searched: Sequence[int] = self._unsearchable
        if self._automaton is not None:
            searched = [*searched, *self._find_anchored(text, spans)]
        for i in searched:
            found = [m.span() for m in self.terms[i].pattern.finditer(text)]
            if found:
                spans[i] = found
        return spans

    def _find_anchored(self, text: str, spans: Spans) -> set[int]:
        """Confirm terms at their anchors into `spans`; return the gated terms to search."""
        assert self._automaton is not None
        terms = self.terms
        ends: dict[int, int] = {}  # where a term's last match ended: finditer never overlaps
        regex_starts: dict[int, set[int]] = {}
        gated: set[int] = set()
        for end, (length, plain, regexes, gates) in self._automaton.iter(fold(text)):
            start = end - length + 1
            gated.update(gates)
            for i in regexes:
                regex_starts.setdefault(i, set()).add(start)
            if not plain or (start and (text[start - 1].isalnum() or text[start - 1] == "_")):
                continue  # plain terms start with (?<!\w): never inside a word
            for i in plain:
                if start >= ends.get(i, 0):
                    m = terms[i].pattern.match(text, start)
                    if m is not None:
                        spans.setdefault(i, []).append(m.span())
                        ends[i] = m.end()
        # A regex may have several anchors, found out of order: confirm them sorted.
        for i, starts in regex_starts.items():
            last = 0
            for start in sorted(starts):
                m = terms[i].pattern.match(text, start) if start >= last else None
                if m is not None:
                    spans.setdefault(i, []).append(m.span())
                    last = m.end()
        return gated
