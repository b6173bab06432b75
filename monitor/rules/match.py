"""Score articles against rules. Pure: rules and text in, evaluations out.

All rules compile into one Matcher over one TermIndex, so each field is scanned once
whatever the number of rules (see terms.py). Rules are then scored from the spans: an
upper bound first (from the groups whose terms hit at all), then the exact score without
building hits, and the hits only for the rules that match. `evaluate` and `explain`
build the full account, every hit included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.model import FIELDS, Article, FieldName, Hit, Match, Rule
from monitor.rules.scan import Scan, find_hits, is_near
from monitor.rules.terms import Spans, Term, TermIndex, compile_term

REQUIRE_GROUP = -1
EXCLUDE_GROUP = -2
# Scores are rounded to 6 places; a bound this far below the threshold cannot reach it
# whatever the order the floats were added in.
_SLACK = 1e-6


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
            if group.points > 0:  # a penalty's hits are not why an article matched
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


class Matcher:
    """Rules compiled once; call `match` or `evaluate` per article."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = tuple(rules)
        self._terms: list[Term] = []
        self._ids: dict[str, int] = {}
        self._plans = tuple(self._plan(rule) for rule in self.rules)
        self._by_id = {plan.rule.id: plan for plan in self._plans}
        self._index = TermIndex(self._terms)
        # For the bound: term -> the rules that use it, and -> the (rule, group) numbers
        # of the positive groups with that term; per such group its rule and the points
        # it gives in the title and at best in the body.
        self._postings: dict[int, list[int]] = {}
        self._group_postings: dict[int, list[int]] = {}
        self._group_plan: list[int] = []
        self._title_top: list[float] = []
        self._body_top: list[float] = []
        for number, plan in enumerate(self._plans):
            self._post(number, plan)
        # A rule with a threshold of 0 or less matches without any group hitting.
        self._lenient = frozenset(n for n, p in enumerate(self._plans) if p.rule.threshold <= 0)

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

    def _post(self, number: int, plan: _Plan) -> None:
        for i in plan.term_ids:
            self._postings.setdefault(i, []).append(number)
        body = max(plan.fields.get("summary", 0.0), plan.fields.get("content", 0.0))
        for group in plan.groups:
            if group.weight <= 0:
                continue  # a penalty never lifts a rule over its threshold
            for i in group.terms:
                self._group_postings.setdefault(i, []).append(len(self._group_plan))
            self._group_plan.append(number)
            self._title_top.append(group.weight * plan.fields.get("title", 0.0))
            self._body_top.append(group.weight * body)

    def find(self, text: str) -> Spans:
        """Every term's match spans in `text`, keyed by term index, as re.finditer finds them."""
        return self._index.find(text)

    def _touched(self, scan: Scan) -> list[_Plan]:
        """The rules any term of which hit, in rule order."""
        numbers: set[int] = set().union(*(self._postings[i] for i in scan.hit))
        return [self._plans[n] for n in sorted(numbers)]

    def _reachable(self, scan: Scan) -> list[_Plan]:
        """The rules whose hit groups could reach the threshold, in rule order."""
        postings = self._group_postings
        in_title = set().union(*(postings.get(i, ()) for i in scan.keys["title"]))
        in_body = set().union(*(postings.get(i, ()) for i in
                                scan.keys["summary"] | scan.keys["content"]))
        bound: dict[int, float] = {}
        plan_of, title_top, body_top = self._group_plan, self._title_top, self._body_top
        for group in in_title | in_body:
            top = max(title_top[group] if group in in_title else 0.0,
                      body_top[group] if group in in_body else 0.0)
            bound[plan_of[group]] = bound.get(plan_of[group], 0.0) + top
        numbers = {n for n, b in bound.items() if b + _SLACK >= self._plans[n].rule.threshold}
        if self._lenient:
            numbers.update(self._lenient & set().union(*(self._postings[i] for i in scan.hit)))
        return [self._plans[n] for n in sorted(numbers)]

    def evaluate(self, article: Article, *, every: bool = False) -> list[Evaluation]:
        """Evaluations for the rules any term of which hit (all rules when `every`)."""
        scan = Scan.of(self._index, article)
        plans = self._plans if every else self._touched(scan)
        return [_evaluate(plan, self._terms, scan) for plan in plans]

    def match(self, article: Article) -> list[Match]:
        """The rules the article matches, with score and hits (as Evaluation.to_match)."""
        scan = Scan.of(self._index, article)
        out = []
        for plan in self._reachable(scan):
            points = _points_if_matched(plan, scan)
            if points is not None:
                score = round(sum(points), 6)
                out.append(Match(plan.rule.id, score, _match_hits(plan, points, self._terms, scan)))
        return out

    def explain(self, rule_id: str, article: Article) -> Evaluation:
        plan = self._by_id.get(rule_id)
        if plan is None:
            raise KeyError(rule_id)
        return _evaluate(plan, self._terms, Scan.of(self._index, article))


def _points_if_matched(plan: _Plan, scan: Scan) -> list[float] | None:
    """Each group's points when the rule matches, else None; decided without Hit objects."""
    hit = scan.hit
    if not plan.exclude_set.isdisjoint(hit) or \
            any(alts.isdisjoint(hit) for alts in plan.require_sets):
        return None
    points = [0.0] * len(plan.groups)
    pending = []  # groups with a near condition: the dearest to decide, so the last
    for k, group in enumerate(plan.groups):
        if not group.term_set.isdisjoint(hit):
            if group.near:
                pending.append(k)
            else:
                points[k] = _points(group, plan, scan)
    reach = sum(points) + sum(plan.groups[k].top for k in pending)
    for k in pending:
        if reach + _SLACK < plan.rule.threshold:
            return None
        points[k] = _points(plan.groups[k], plan, scan)
        reach += points[k] - plan.groups[k].top
    return points if round(sum(points), 6) >= plan.rule.threshold else None


def _points(group: _Group, plan: _Plan, scan: Scan) -> float:
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
    return any(is_near(s, anchors, text, group.within)
               for i in group.terms for s in spans.get(i, ()))


def _match_hits(plan: _Plan, points: Sequence[float], terms: Sequence[Term],
                scan: Scan) -> tuple[Hit, ...]:
    """The hits of the groups that scored, one per term, field and text."""
    seen: dict[tuple[str, str, str], Hit] = {}
    for index, (group, earned) in enumerate(zip(plan.groups, points, strict=True)):
        if earned <= 0:
            continue  # a penalty's hits are not why an article matched
        for name in FIELDS:
            keys = scan.keys[name]
            if group.term_set.isdisjoint(keys):
                continue
            spans, text = scan.spans[name], scan.texts[name]
            anchors = [s for i in group.near for s in spans.get(i, ())] if group.near else None
            for i in (i for i in group.terms if i in keys):
                source = terms[i].source
                for start, end in spans[i]:
                    if anchors is not None and \
                            not is_near((start, end), anchors, text, group.within):
                        continue
                    found = text[start:end]
                    key = (source, name, found.lower())
                    if key not in seen:
                        seen[key] = Hit(source, name, found, start, end, index)
    return tuple(seen.values())


def _evaluate(plan: _Plan, terms: Sequence[Term], scan: Scan) -> Evaluation:
    groups = tuple(_group_result(index, group, plan, terms, scan)
                   for index, group in enumerate(plan.groups))
    require = tuple(
        RequireResult(tuple(terms[i].source for i in alts),
                      tuple(find_hits(alts, terms, scan, REQUIRE_GROUP)))
        for alts in plan.require
    )
    excluded = tuple(find_hits(plan.exclude, terms, scan, EXCLUDE_GROUP))
    score = round(sum(g.points for g in groups), 6)
    return Evaluation(plan.rule, score, groups, require, excluded)


def _group_result(index: int, group: _Group, plan: _Plan, terms: Sequence[Term],
                  scan: Scan) -> GroupResult:
    hits = find_hits(group.terms, terms, scan, index)
    rejected: list[Hit] = []
    if group.near and hits:
        anchors = {name: [s for i in group.near for s in scan.spans[name].get(i, ())]
                   for name in FIELDS}
        near = [is_near((h.start, h.end), anchors[h.field], scan.texts[h.field], group.within)
                for h in hits]
        rejected = [h for h, ok in zip(hits, near, strict=True) if not ok]
        hits = [h for h, ok in zip(hits, near, strict=True) if ok]
    best = max(hits, key=lambda h: plan.fields.get(h.field, 0.0), default=None)
    points = group.weight * plan.fields.get(best.field, 0.0) if best else 0.0
    return GroupResult(index, group.weight, points, best.field if best else None, tuple(hits),
                       tuple(rejected))
