"""Check that a generated summary states no number or name its source text lacks."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A capitalised word of two or more characters (names, places, acronyms, "iPhone" aside).
_NAME = re.compile(r"\b[A-Z][\w'’&.-]*[\w]")
_POSSESSIVE = re.compile(r"['’]s$")
_SPELLED = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
# Capitalised only because they open a sentence: not names, so not checked.
_FUNCTION = frozenset(
    """a an the this that these those it its they their them he she his her we our you i
    in on at for from to of by with as after before while since during under over about
    and but or so yet also however meanwhile overall together both each other another some
    many most several such if when where which who what why how there here today
    according despite although though instead still then now thus new""".split()
)


def unsupported(answer: str, source: str) -> list[str]:
    """Numbers and capitalised names in `answer` that `source` does not contain, in order."""
    low = source.lower()
    numbers = {_canonical(n) for n in _NUMBER.findall(source)}
    missing: dict[str, None] = {}
    for raw in _NUMBER.findall(answer):
        if not _number_found(raw, numbers, low):
            missing.setdefault(raw, None)
    for raw in _NAME.findall(answer):
        for part in _POSSESSIVE.sub("", raw).split("-"):  # "Nvidia-backed": check "Nvidia"
            name = part.rstrip(".'’")
            if name[:1].isupper() and name.lower() not in _FUNCTION and not _name_found(name, low):
                missing.setdefault(name, None)
    return list(missing)


def _canonical(number: str) -> str:
    """One spelling per number: 4,500 = 4500, 4.50 = 4.5, 05 = 5."""
    digits = number.replace(",", "")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits.lstrip("0") or "0"


def _number_found(raw: str, numbers: set[str], low_source: str) -> bool:
    value = _canonical(raw)
    if value in numbers:
        return True
    # "3 data centres" may be written "three data centres" in the article.
    if value.isdigit() and int(value) < len(_SPELLED):
        return re.search(rf"\b{_SPELLED[int(value)]}\b", low_source) is not None
    return False


def _name_found(name: str, low_source: str) -> bool:
    """Found at a word start, ignoring case: "Nvidia" in "nvidia's", "Europe" in "European"."""
    if len(name) < 2:
        return True
    return re.search(r"(?<!\w)" + re.escape(name.lower()), low_source) is not None
