"""Score articles against rules. Pure: rules and text in, evaluations out.

All rules compile into one Matcher. Every term is keyed by the folded literals its
matches start with (its anchors) in one Aho-Corasick automaton, so a field is scanned
once whatever the number of rules, and a term's exact pattern is only tried where an
anchor occurs (and, for plain terms, where a word starts). A regular expression with no
literal start is searched in full. Rules are then scored from the spans: first cheaply,
without building hits, and in full (every hit, for `explain`) only when a rule can match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from monitor.model import FIELDS, Article, FieldName, Hit, Match, Rule
from monitor.rules.terms import Term, compile_term, fold

REQUIRE_GROUP = -1
EXCLUDE_GROUP = -2
_WORD = re.compile(r"\w+")

Span = tuple[int, int]
Spans = dict[int, list[Span]]


@dataclass(frozen=True, slots=True)
class GroupResult:
    """How one signal group fared: the points it added and the hits that earned them."""

    index: int
    weight: float
    points: float
    field: FieldName | None
    hits: tuple[Hit, ...]
    not_near: tuple[Hit, ...] = ()


@dataclass(frozen=True, slots=True)
class RequireResult:
    terms: tuple[str, ...]
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The full account of one rule on one article: what `explain` shows."""

    rule: Rule
    score: float
    groups: tuple[GroupResult, ...]
    require: tuple[RequireResult, ...]
    excluded: tuple[Hit, ...]

    @property
    def required(self) -> bool:
        return all(r.hits for r in self.require)

    @property
    def matched(self) -> bool:
        return self.score >= self.rule.threshold and self.required and not self.excluded

    def to_match(self) -> Match:
        seen: dict[tuple[str, str, str], Hit] = {}
        for group in self.groups:
            if group.points:
                for hit in group.hits:
                    seen.setdefault((hit.term, hit.field, hit.text.lower()), hit)
        return Match(self.rule.id, self.score, tuple(seen.values()))


@dataclass(frozen=True, slots=True)
class _Group:
    """A signal group with its terms replaced by indexes into the matcher's term table."""

    terms: tuple[int, ...]
    term_set: frozenset[int]
    near: tuple[int, ...]
    within: int
    weight: float
    top: float  # the most the group can add: its weight at the best field, if positive


@dataclass(frozen=True, slots=True)
class _Plan:
    rule: Rule
    fields: dict[str, float]
    order: tuple[FieldName, ...]  # fields from the highest weight down
    groups: tuple[_Group, ...]
    require: tuple[tuple[int, ...], ...]
    require_sets: tuple[frozenset[int], ...]
    exclude: tuple[int, ...]
    exclude_set: frozenset[int]
    term_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Scan:
    """One article: the text of each field, its spans by term, and the terms that hit."""

    texts: dict[FieldName, str]
    spans: dict[FieldName, Spans]
    keys: dict[FieldName, frozenset[int]]
    hit: frozenset[int]


class Matcher:
    """Rules compiled once; call `match` or `evaluate` per article."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = tuple(rules)
        self._terms: list[Term] = []
        self._ids: dict[str, int] = {}
        self._plans = tuple(self._plan(rule) for rule in self.rules)
        self._by_id = {plan.rule.id: plan for plan in self._plans}
        self._unanchored = tuple(i for i, t in enumerate(self._terms) if not t.anchors)
        self._automaton = self._build_automaton()

    def _term(self, source: str) -> int:
        if source not in self._ids:
            self._ids[source] = len(self._terms)
            self._terms.append(compile_term(source))
        return self._ids[source]

    def _plan(self, rule: Rule) -> _Plan:
        fields = rule.field_weights()
        order = tuple(sorted(FIELDS, key=lambda name: -fields.get(name, 0.0)))
        best = fields.get(order[0], 0.0)
        groups = tuple(
            _Group(terms, frozenset(terms), tuple(map(self._term, g.near)), g.within, g.weight,
                   max(g.weight * best, 0.0))
            for g in rule.signals for terms in [tuple(map(self._term, g.terms))]
        )
        require = tuple(tuple(map(self._term, alts)) for alts in rule.require)
        exclude = tuple(map(self._term, rule.exclude))
        ids = {i for g in groups for i in (*g.terms, *g.near)}
        ids.update(i for alts in require for i in alts)
        ids.update(exclude)
        return _Plan(rule, fields, order, groups, require, tuple(map(frozenset, require)),
                     exclude, frozenset(exclude), frozenset(ids))

    def _build_automaton(self) -> ahocorasick.Automaton | None:
        # Per anchor: plain terms (which need a word start) and regexes (which do not).
        anchors: dict[str, tuple[list[int], list[int]]] = {}
        for i, term in enumerate(self._terms):
            for anchor in term.anchors:
                anchors.setdefault(anchor, ([], []))[term.is_regex].append(i)
        if not anchors:
            return None
        automaton = ahocorasick.Automaton()
        for anchor, (plain, regexes) in anchors.items():
            automaton.add_word(anchor, (len(anchor), tuple(plain), tuple(regexes)))
        automaton.make_automaton()
        return automaton

    def find(self, text: str) -> Spans:
        """Every term's match spans in `text`, keyed by term index, as re.finditer finds them."""
        spans: Spans = {}
        if not text:
            return spans
        if self._automaton is not None:
            self._find_anchored(text, spans)
        for i in self._unanchored:
            found = [m.span() for m in self._terms[i].pattern.finditer(text)]
            if found:
                spans[i] = found
        return spans

    def _find_anchored(self, text: str, spans: Spans) -> None:
        assert self._automaton is not None
        terms = self._terms
        ends: dict[int, int] = {}  # where a term's last match ended: finditer never overlaps
        regex_starts: dict[int, set[int]] = {}
        for end, (length, plain, regexes) in self._automaton.iter(fold(text)):
            start = end - length + 1
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

    def _scan(self, article: Article) -> _Scan:
        texts = {name: article.text(name) for name in FIELDS}
        spans: dict[FieldName, Spans] = {}
        for name in FIELDS:
            # Summary and content are often the same text: find its spans once.
            same = next((other for other in spans if texts[other] == texts[name]), None)
            spans[name] = spans[same] if same is not None else self.find(texts[name])
        keys = {name: frozenset(spans[name]) for name in FIELDS}
        return _Scan(texts, spans, keys, frozenset().union(*keys.values()))

    def evaluate(self, article: Article, *, every: bool = False) -> list[Evaluation]:
        """Evaluations for the rules any term of which hit (all rules when `every`)."""
        scan = self._scan(article)
        return [_evaluate(plan, self._terms, scan) for plan in self._plans
                if every or not plan.term_ids.isdisjoint(scan.hit)]

    def match(self, article: Article) -> list[Match]:
        """The rules the article matches, with score and hits."""
        scan = self._scan(article)
        return [_evaluate(plan, self._terms, scan).to_match() for plan in self._plans
                if not plan.term_ids.isdisjoint(scan.hit) and _can_match(plan, scan)]

    def explain(self, rule_id: str, article: Article) -> Evaluation:
        plan = self._by_id.get(rule_id)
        if plan is None:
            raise KeyError(rule_id)
        return _evaluate(plan, self._terms, self._scan(article))


def _can_match(plan: _Plan, scan: _Scan) -> bool:
    """Whether the rule matches, decided from the spans alone (no Hit objects)."""
    hit = scan.hit
    if not plan.exclude_set.isdisjoint(hit) or \
            any(alts.isdisjoint(hit) for alts in plan.require_sets):
        return False
    # An upper bound first: near conditions and lesser fields only lower a group's points.
    bound = sum(g.top for g in plan.groups if not g.term_set.isdisjoint(hit))
    if round(bound, 6) < plan.rule.threshold:
        return False
    return round(sum(_points(g, plan, scan) for g in plan.groups), 6) >= plan.rule.threshold


def _points(group: _Group, plan: _Plan, scan: _Scan) -> float:
    """The group's points: its weight at the best field where a hit counts."""
    for name in plan.order:
        if group.term_set.isdisjoint(scan.keys[name]):
            continue
        if group.near and not _any_near(group, scan.spans[name], scan.texts[name]):
            continue
        return group.weight * plan.fields.get(name, 0.0)
    return 0.0


def _any_near(group: _Group, spans: Spans, text: str) -> bool:
    anchors = [s for i in group.near for s in spans.get(i, ())]
    return any(_is_near(s, anchors, text, group.within)
               for i in group.terms for s in spans.get(i, ()))


def _evaluate(plan: _Plan, terms: Sequence[Term], scan: _Scan) -> Evaluation:
    groups = tuple(_group_result(index, group, plan, terms, scan)
                   for index, group in enumerate(plan.groups))
    require = tuple(
        RequireResult(tuple(terms[i].source for i in alts),
                      tuple(_hits(alts, terms, scan, REQUIRE_GROUP)))
        for alts in plan.require
    )
    excluded = tuple(_hits(plan.exclude, terms, scan, EXCLUDE_GROUP))
    score = round(sum(g.points for g in groups), 6)
    return Evaluation(plan.rule, score, groups, require, excluded)


def _group_result(index: int, group: _Group, plan: _Plan, terms: Sequence[Term],
                  scan: _Scan) -> GroupResult:
    hits = _hits(group.terms, terms, scan, index)
    rejected: list[Hit] = []
    if group.near and hits:
        anchors = {name: [s for i in group.near for s in scan.spans[name].get(i, ())]
                   for name in FIELDS}
        near = [_is_near((h.start, h.end), anchors[h.field], scan.texts[h.field], group.within)
                for h in hits]
        rejected = [h for h, ok in zip(hits, near, strict=True) if not ok]
        hits = [h for h, ok in zip(hits, near, strict=True) if ok]
    best = max(hits, key=lambda h: plan.fields.get(h.field, 0.0), default=None)
    points = group.weight * plan.fields.get(best.field, 0.0) if best else 0.0
    return GroupResult(index, group.weight, points, best.field if best else None, tuple(hits),
                       tuple(rejected))


def _hits(ids: Sequence[int], terms: Sequence[Term], scan: _Scan, group: int) -> list[Hit]:
    hits = []
    for name in FIELDS:
        spans, text = scan.spans[name], scan.texts[name]
        for i in ids:
            for start, end in spans.get(i, ()):
                hits.append(Hit(terms[i].source, name, text[start:end], start, end, group))
    return hits


def _is_near(span: Span, anchors: Sequence[Span], text: str, within: int) -> bool:
    """True when an anchor overlaps `span` or fewer than `within` words lie between them.

    An anchor with the very same span is the hit itself (a term in both lists), not a
    neighbour. Only the closest anchor on each side needs its words counted.
    """
    start, end = span
    left, right = -1, len(text) + 1
    for other in anchors:
        if other == span:
            continue
        if other[1] <= start:
            left = max(left, other[1])
        elif other[0] >= end:
            right = min(right, other[0])
        else:
            return True
    return (left >= 0 and _fewer_words(text, left, start, within)) or \
        (right <= len(text) and _fewer_words(text, end, right, within))


def _fewer_words(text: str, start: int, end: int, limit: int) -> bool:
    """Whether text[start:end] holds fewer than `limit` words; stops counting at the limit."""
    for count, _ in enumerate(_WORD.finditer(text, start, end), 1):
        if count >= limit:
            return False
    return True
