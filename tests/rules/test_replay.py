from __future__ import annotations

from monitor.model import Article, Match
from monitor.rules.replay import diff_matches

A = Article("a", "https://x/a", "A")
B = Article("b", "https://x/b", "B")
C = Article("c", "https://x/c", "C")


def m(rule: str, score: float) -> Match:
    return Match(rule, score, ())


def test_added_dropped_rescored_and_unchanged_per_rule() -> None:
    stored = {"a": [m("r1", 5.0)], "b": [m("r1", 6.0), m("r2", 4.0)]}
    fresh = {"a": [m("r1", 5.0)], "b": [m("r2", 7.0)], "c": [m("r1", 9.0)]}
    r1, r2 = diff_matches([A, B, C], stored, fresh)
    assert r1.rule_id == "r1"
    assert [(c.article.uid, c.old, c.new) for c in r1.added] == [("c", None, 9.0)]
    assert [(c.article.uid, c.old, c.new) for c in r1.dropped] == [("b", 6.0, None)]
    assert r1.unchanged == 1
    assert [(c.article.uid, c.old, c.new) for c in r2.rescored] == [("b", 4.0, 7.0)]


def test_nothing_stored_and_nothing_found() -> None:
    assert diff_matches([A], {}, {}) == []
