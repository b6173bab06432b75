"""What a rules change would do: compare fresh matches with the stored ones. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from monitor.model import Article, Match


@dataclass(frozen=True, slots=True)
class Change:
    article: Article
    old: float | None  # stored score; None when it did not match before
    new: float | None  # score now; None when it no longer matches


@dataclass(slots=True)
class RuleDiff:
    rule_id: str
    added: list[Change] = field(default_factory=list)
    dropped: list[Change] = field(default_factory=list)
    rescored: list[Change] = field(default_factory=list)
    unchanged: int = 0


def diff_matches(articles: Sequence[Article], stored: Mapping[str, Sequence[Match]],
                 fresh: Mapping[str, Sequence[Match]]) -> list[RuleDiff]:
    """Per rule: articles that would be added, dropped, or matched with another score."""
    diffs: dict[str, RuleDiff] = {}
    for article in articles:
        before = {m.rule_id: m.score for m in stored.get(article.uid, ())}
        after = {m.rule_id: m.score for m in fresh.get(article.uid, ())}
        for rule_id in sorted(before.keys() | after.keys()):
            diff = diffs.setdefault(rule_id, RuleDiff(rule_id))
            old, new = before.get(rule_id), after.get(rule_id)
            change = Change(article, old, new)
            if old is None:
                diff.added.append(change)
            elif new is None:
                diff.dropped.append(change)
            elif abs(old - new) > 1e-9:
                diff.rescored.append(change)
            else:
                diff.unchanged += 1
    for diff in diffs.values():
        diff.added.sort(key=lambda c: -(c.new or 0))
        diff.dropped.sort(key=lambda c: -(c.old or 0))
    return [diffs[k] for k in sorted(diffs)]
