"""The term syntax: how one term in a rule file becomes a pattern.

- a plain term matches whole words, case-insensitively, with any run of whitespace or
  hyphens between its words ("data centre" finds "data-centre");
- a trailing `*` on a word matches word endings ("gigafactor*" finds "gigafactories");
- a word written in capitals ("AI", "GPU*", "H100") matches case-sensitively;
- `/.../` is a regular expression (`/.../i` ignores case).

Each term also gets its anchors: folded literals (see `fold`) one of which starts every
match, so the matcher can find candidate positions for all terms in one pass.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

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

    `anchors` are folded literals one of which starts every match (empty when unknown:
    search the whole text); `anchor` is the only one, or "".
    """

    source: str
    pattern: re.Pattern[str]
    anchor: str
    is_regex: bool
    anchors: tuple[str, ...] = ()


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
    if pattern.fullmatch("") or any(m.start() == m.end() for m in pattern.finditer(_EMPTY_PROBE)):
        raise TermSyntaxError("the regular expression can match the empty string")
    anchors = regex_prefixes(pattern)
    return Term(term, pattern, anchors[0] if len(anchors) == 1 else "", True, anchors)


def regex_prefixes(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Folded literals one of which starts every match of `pattern`; () when unknown."""
    try:
        # The parser is CPython's own (private); without it a regex is searched in full.
        parser: Any = importlib.import_module("re._parser")
        items = list(parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # any surprise only costs speed, never a match
        return ()
    prefixes, _ = _extend(items, {""})
    if "" in prefixes or len(prefixes) > _MAX_PREFIXES:
        return ()
    return tuple(sorted(prefixes))


def _extend(items: list[Any], prefixes: set[str]) -> tuple[set[str], bool]:
    """`prefixes` extended by the literal start of `items`; True when all of it was literal."""
    for op, arg in items:
        name = str(op)
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
        kind = str(op)
        if kind == "LITERAL":
            chars.append(chr(value))
        elif kind == "RANGE" and value[1] - value[0] < _MAX_PREFIXES:
            chars.extend(map(chr, range(value[0], value[1] + 1)))
        else:
            return None  # NEGATE, CATEGORY (\d, \w) or a wide range
    return chars
