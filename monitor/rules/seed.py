"""Draft a rule from one article: ranked key phrases, acronyms, weights, a require group.

Candidate phrases are runs of content words between stopwords and punctuation (the RAKE
idea), scored by how often their words occur and how many other words they keep company
with, boosted when they appear in the title. Plural and singular forms merge into one
`word*` term; a phrase inside a better one is dropped. The draft is a starting point for
a maintainer, printed as commented YAML in the rule-file format.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9’'\-]*|\d[\d,.]*|[.,;:!?()\"“”]")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,5}s?$")
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each even
every few for from further had has have having he her here hers herself him himself his
how i if in into is it its itself just like made make many may me might more most much
must my myself new no nor not now of off on once one only or other our ours ourselves
out over own per said same say says she should since so some such than that the their
theirs them themselves then there these they this those through to too under until up
upon us very was we well were what when where which while who whom why will with within
without would yet you your yours yourself monday tuesday wednesday thursday friday
saturday sunday stated explained highlighted stressed believes including includes next
step steps way ways current currently recent recently good best need needs needed want
wants wanted sign signs signals signifies shift part seeks aims aimed looking look use
using used take taking open reply leave tags required fields marked published email
address comment comments share eyes drive drives making makes emphasizing emphasising
elaborated announced announces unveiled unveils requires require toward towards totaling
totalling approximately around based safely enabling allowing expected planned happen
bold strides stance also already across among bloc plans plan""".split())


_NAME_PARTICLES = frozenset({"von", "van", "der", "den", "de", "del", "della", "la", "le", "da",
                             "di", "du", "bin", "al", "el", "ter"})


@dataclass(frozen=True, slots=True)
class Phrase:
    term: str          # as it goes in the rule: "AI gigafactor*", "compute capacity"
    score: float
    count: int
    in_title: bool
    forms: tuple[str, ...]  # the surface forms it stands for


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.replace("’", "'"))


def _is_acronym(word: str) -> bool:
    return bool(_ACRONYM.match(word)) and sum(c.isupper() for c in word) >= 2


def _candidates(text: str) -> list[list[str]]:
    runs: list[list[str]] = []
    run: list[str] = []
    for token in _tokens(text):
        word = token.strip("'")
        boundary = (not word or not word[0].isalnum() or word.lower() in STOPWORDS
                    or word[0].isdigit())
        if boundary:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(word)
    if run:
        runs.append(run)
    return [r[i:i + n] for r in runs for n in range(1, 4) for i in range(len(r) - n + 1)
            if len(r[i:i + n]) == n]


def _word_form(word: str) -> str:
    """How a word is written in a term: acronyms in capitals, the rest lower-case."""
    if _is_acronym(word):
        return word[:-1] if word.endswith("s") and word[:-1].isupper() else word
    return word.lower()


def _stem(word: str) -> str:
    lowered = word.lower()
    if lowered.endswith(("ss", "us", "is")):
        return lowered  # business, campus, analysis: not plurals
    if lowered.endswith("ies") and len(lowered) >= 6:
        return lowered[:-3] + "y"
    if lowered.endswith(("ches", "shes", "sses", "xes", "zes")):
        return lowered[:-2]
    if lowered.endswith("s") and len(lowered) >= 5:
        return lowered[:-1]
    return lowered


def _term(forms: list[str]) -> str:
    """One term for the surface forms of a phrase: plural and singular merge into `*`."""
    words = [_word_form(w) for w in forms[0].split()]
    last_forms = {f.split()[-1].lower() for f in forms}
    if len(last_forms) > 1 or any(_stem(w) != w.lower() for w in last_forms):
        prefix = _common_prefix(last_forms | {_stem(w) for w in last_forms})
        if len(prefix) >= 4 and not _is_acronym(words[-1]):
            words[-1] = prefix + "*"
    return " ".join(words)


def _common_prefix(words: set[str]) -> str:
    ordered = sorted(words)
    first, last = ordered[0], ordered[-1]
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def key_phrases(title: str, text: str, limit: int = 16) -> list[Phrase]:
    """Ranked, merged key phrases of an article (people and places left out)."""
    candidates = _candidates(title) + _candidates(text)
    words: Counter[str] = Counter(_stem(w) for c in candidates if len(c) == 1 for w in c)
    title_stems = {_stem(w) for w in _tokens(title)}
    grouped: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for phrase in candidates:
        grouped[tuple(_stem(w) for w in phrase)].append(" ".join(phrase))
    phrases = []
    for key, forms in grouped.items():
        in_title = all(w in title_stems for w in key)
        count = len(forms)
        if _is_name(forms) or (count < 2 and not in_title) or \
                (len(key) == 1 and _is_acronym(forms[0])):
            continue  # bare acronyms go to `require`, where they gate rather than score
        weight = sum(math.log1p(words[w]) for w in key) / len(key)
        score = count * weight * (1 + 0.5 * (len(key) - 1)) * (1.5 if in_title else 1.0)
        if len(key) == 1 and not in_title:
            score *= 0.6  # a lone common word says less than a phrase
        phrases.append(Phrase(_term(forms), round(score, 2), count, in_title,
                              tuple(sorted(set(forms)))))
    return _prune(sorted(phrases, key=lambda p: (-p.score, p.term)), limit)


def _is_name(forms: list[str]) -> bool:
    """A proper name (a person, a place, a body): every word capitalised, not an acronym,
    in most of its occurrences. Such names seldom carry over to other stories."""
    def capitalised(form: str) -> bool:
        parts = [p for p in form.split() if p.lower() not in _NAME_PARTICLES]
        return not parts or all(p[0].isupper() and not _is_acronym(p) for p in parts)
    return sum(map(capitalised, forms)) * 2 > len(forms) and not any(
        _is_acronym(w) for f in forms for w in f.split())


def _prune(ranked: list[Phrase], limit: int) -> list[Phrase]:
    """Drop phrases contained in a better-ranked one, and repeats of a term."""
    kept: list[Phrase] = []
    for phrase in ranked:
        inner = phrase.term.lower().rstrip("*")
        if any(inner in k.term.lower() and phrase.count <= k.count for k in kept):
            continue
        if any(k.term.lower() == phrase.term.lower() for k in kept):
            continue
        kept.append(phrase)
        if len(kept) == limit:
            break
    return kept


def acronyms(title: str, text: str) -> list[str]:
    """Acronyms of the article, most frequent first, kept in capitals."""
    counts = Counter(_word_form(w) for w in _tokens(f"{title} {text}") if _is_acronym(w))
    return [w for w, _ in counts.most_common()]


def draft_rule(title: str, text: str, *, rule_id: str, source: str = "") -> str:
    """A commented YAML draft in the rule-file format."""
    phrases = key_phrases(title, text)
    core, strong, context = phrases[:3], phrases[3:8], phrases[8:]
    required = acronyms(title, text)[:4] or [p.term for p in core[:2]]
    lines = [
        f"# Draft rule seeded from: {title}" + (f" ({source})" if source else ""),
        "# Generated by `monitor rules seed`. Review every term: widen phrases to the field,",
        "# merge synonyms into groups, add excludes for look-alikes, then run",
        "# `monitor rules check` and `monitor rules test`.",
        f"id: {rule_id}",
        f"name: {json.dumps(title[:80], ensure_ascii=False)}",
        "threshold: 5",
        "fields: {title: 2.0, summary: 1.0, content: 1.0}",
        "signals:",
    ]
    for name, group, weight in (("core", core, 5), ("strong", strong, 3),
                                ("context", context, 2)):
        if not group:
            continue
        lines.append(f"  # {name}: " + "; ".join(f"{p.term} (score {p.score:g}, "
                                                 f"{p.count}x)" for p in group))
        lines.append(f"  - name: {name}")
        lines.append("    terms: " + json.dumps([p.term for p in group], ensure_ascii=False))
        lines.append(f"    weight: {weight}")
    lines += [
        "# The article's acronyms, kept in capitals so they match case-sensitively.",
        "require:",
        "  - " + json.dumps(required, ensure_ascii=False),
        "exclude: []  # add look-alikes here",
        "examples:",
        "  match:",
        "    - " + json.dumps(title, ensure_ascii=False),
        "  no_match: []  # add a headline this rule must not catch",
    ]
    return "\n".join(lines) + "\n"
