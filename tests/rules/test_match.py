"""Rule semantics: groups, field weights, threshold, require, exclude, near, hits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.model import FIELDS, Article, FieldName, Hit, Rule, SignalGroup
from monitor.rules.match import EXCLUDE_GROUP, REQUIRE_GROUP, Evaluation, Matcher
from monitor.rules.terms import compile_term


def article(title: str = "", summary: str = "", content: str = "") -> Article:
    return Article("uid", "https://example.org/a", title, summary, content)


def rule(*signals: SignalGroup, threshold: float = 1.0, rule_id: str = "r",
         **extra: object) -> Rule:
    return Rule(rule_id, threshold, signals, **extra)  # type: ignore[arg-type]


def group(*terms: str, weight: float = 1.0, near: Sequence[str] = (), within: int = 0
          ) -> SignalGroup:
    return SignalGroup(tuple(terms), weight, tuple(near), within)


def explain(r: Rule, a: Article) -> Evaluation:
    return Matcher([r]).explain(r.id, a)


# --- scoring ----------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "summary", "content", "points", "field"), [
    ("", "", "a data centre", 2.0, "content"),
    ("", "a data centre", "a data centre and a datacenter", 2.0, "summary"),
    ("Data centre news", "data centre", "data centre, data centre", 4.0, "title"),
    ("", "", "nothing here", 0.0, None),
])
def test_a_group_counts_once_at_its_best_field(title: str, summary: str, content: str,
                                               points: float, field: FieldName | None) -> None:
    r = rule(group("data centre", "datacenter", weight=2), threshold=2)
    result = explain(r, article(title, summary, content)).groups[0]
    assert (result.points, result.field) == (points, field)


def test_field_weights_override_the_defaults() -> None:
    r = rule(group("GPU*", weight=2), threshold=1, fields={"title": 3.0, "content": 0.5})
    assert explain(r, article("GPUs", "", "GPUs")).score == 6.0
    assert explain(r, article("", "GPUs", "GPUs")).score == 2.0  # summary keeps its default 1
    assert explain(r, article("", "", "GPUs")).score == 1.0


@pytest.mark.parametrize(("threshold", "matched"), [(3.5, True), (4.0, True), (4.000001, False)])
def test_the_threshold_is_reached_at_equality(threshold: float, matched: bool) -> None:
    r = rule(group("data centre", weight=2), group("GPU*", weight=2), threshold=threshold)
    assert explain(r, article("", "", "a data centre full of GPUs")).matched is matched


@pytest.mark.parametrize(("text", "required"), [
    ("AI in a data centre", True),
    ("GPUs in a data centres", True),
    ("AI and GPUs", False),          # the second group has no hit
    ("a data centre", False),        # the first group has no hit
    ("", False),
])
def test_require_is_an_and_of_or_groups(text: str, required: bool) -> None:
    r = rule(group("AI", "GPU*", "data cent*"), threshold=1,
             require=(("AI", "GPU*"), ("data cent*",)))
    evaluation = explain(r, article(content=text))
    assert evaluation.required is required
    assert evaluation.matched is required


def test_an_exclude_term_vetoes_any_score() -> None:
    r = rule(group("gigafactor*", weight=10), threshold=1, exclude=("battery gigafactor*",))
    assert explain(r, article("A gigafactory for AI")).matched
    vetoed = explain(r, article("A gigafactory", "", "a battery gigafactory in Berlin"))
    assert vetoed.score == 20.0 and not vetoed.matched
    assert vetoed.excluded == (Hit("battery gigafactor*", "content", "battery gigafactory",
                                   2, 21, EXCLUDE_GROUP),)


def test_negative_weights_are_soft_penalties_at_the_best_field() -> None:
    r = rule(group("data centre", weight=3), group("battery", weight=-2), threshold=2)
    assert explain(r, article("", "", "a data centre")).score == 3.0
    assert explain(r, article("", "", "a data centre and a battery")).score == 1.0
    penalised = explain(r, article("Battery", "", "a data centre"))
    assert penalised.score == -1.0 and penalised.groups[1].field == "title"
    assert not penalised.matched


# --- near -------------------------------------------------------------------------------

@pytest.mark.parametrize(("near", "within", "text", "counts"), [
    (["cluster*"], 1, "a GPU cluster", True),
    (["cluster*"], 2, "GPU for a cluster", False),      # two words between: 3 words apart
    (["cluster*"], 3, "GPU for a cluster", True),
    (["cluster*"], 3, "clusters built of GPUs", True),  # either side
    (["cluster*"], 3, "clusters were built out of GPUs", False),
    (["artificial intelligence"], 2, "artificial intelligence needs GPUs", True),
    (["artificial intelligence"], 1, "artificial intelligence needs GPUs", False),
    (["cluster*"], 12, "GPUs. " + "word " * 20 + "cluster", False),
    (["GPU*"], 5, "one GPU", False),                    # a hit is not near itself
    (["GPU*"], 1, "GPU, GPU", True),
    (["cluster*"], 1, "GPU\u2011clusters", True),
])
def test_near_counts_words_between_in_the_same_field(near: list[str], within: int, text: str,
                                                     counts: bool) -> None:
    r = rule(group("GPU*", weight=2, near=near, within=within), threshold=1)
    result = explain(r, article(content=text)).groups[0]
    assert (result.points == 2.0) is counts
    assert bool(result.not_near) is not counts


def test_near_does_not_reach_across_fields() -> None:
    r = rule(group("GPU*", near=["cluster*"], within=10), threshold=1)
    evaluation = explain(r, article("New GPUs", "", "a cluster"))
    assert evaluation.score == 0.0
    assert evaluation.groups[0].not_near == (Hit("GPU*", "title", "GPUs", 4, 8, 0),)


def test_a_near_term_inside_the_hit_counts() -> None:
    r = rule(group("AI chip*", near=["AI"], within=1), threshold=1)
    assert explain(r, article(content="new AI chips")).score == 1.0


# --- hits -------------------------------------------------------------------------------

def test_hits_record_term_field_text_and_offsets() -> None:
    r = rule(group("AI gigafactor*", weight=5), group("data centre", weight=2), threshold=5,
             require=(("AI",),), exclude=("Stargate SG-1",))
    evaluation = explain(r, article("EU plans AI Gigafactories", "",
                                    "Five AI gigafactories, each a data-centre."))
    assert evaluation.groups[0].hits == (
        Hit("AI gigafactor*", "title", "AI Gigafactories", 9, 25, 0),
        Hit("AI gigafactor*", "content", "AI gigafactories", 5, 21, 0),
    )
    assert evaluation.groups[1].hits == (Hit("data centre", "content", "data-centre", 30, 41, 1),)
    assert evaluation.require[0].hits == (Hit("AI", "title", "AI", 9, 11, REQUIRE_GROUP),
                                          Hit("AI", "content", "AI", 5, 7, REQUIRE_GROUP))
    assert evaluation.score == 12.0 and evaluation.matched


def test_a_match_keeps_one_hit_per_term_field_and_text() -> None:
    r = rule(group("data centre", weight=2), group("gaming", weight=-1), threshold=1)
    [found] = Matcher([r]).match(article("", "", "Data centre, data centre, a data-centre"))
    assert found.score == 2.0
    assert [(h.text, h.start) for h in found.hits] == [("Data centre", 0), ("data-centre", 28)]


def test_offsets_survive_letters_that_lower_case_into_two() -> None:
    r = rule(group("istanbul"), group("data centre"), threshold=2)
    text = "İSTANBUL: İİ a new data centre in İstanbul"
    evaluation = explain(r, article(content=text))
    assert evaluation.matched
    for hit in (*evaluation.groups[0].hits, *evaluation.groups[1].hits):
        assert text[hit.start:hit.end] == hit.text
    assert [h.text for h in evaluation.groups[0].hits] == ["İSTANBUL", "İstanbul"]


def test_identical_summary_and_content_both_count() -> None:
    r = rule(group("GPU*"), threshold=1)
    evaluation = explain(r, article("", "GPUs", "GPUs"))
    assert [h.field for h in evaluation.groups[0].hits] == ["summary", "content"]


# --- the matcher ------------------------------------------------------------------------

SHARED = ["data centre", "GPU*", "AI", "supercomput*", "chip*", "nuclear", "gigawatt*",
          "Nvidia", "cloud", "/\\bH[12]00\\b/", "train* models", "battery"]


def many_rules(count: int) -> list[Rule]:
    """Rules that share most of their terms, with every kind of clause."""
    out = []
    for n in range(count):
        terms = [SHARED[(n + k) % len(SHARED)] for k in range(6)]
        signals = (group(*terms[:2], weight=2),
                   group(*terms[2:4], weight=1 + n % 3, near=terms[4:5] if n % 4 == 0 else (),
                         within=3),
                   group(terms[5], weight=-1 if n % 5 == 0 else 1))
        out.append(rule(*signals, threshold=1 + n % 5, rule_id=f"rule-{n}",
                        require=((terms[0], terms[3]),) if n % 3 == 0 else (),
                        exclude=(terms[5],) if n % 7 == 0 else ()))
    return out


NEWS = [
    article("Nvidia H100 GPUs head to a new data centre",
            "The AI cloud will train models on a supercomputer.",
            "It needs a gigawatt of nuclear power; chips arrive in May. No battery."),
    article("Supercomputer opens", "", "A cloud for AI, with chips from Nvidia."),
    article("Battery plant", "Battery cells", "Battery cells for cars"),
    article("", "", ""),
]


@pytest.mark.parametrize("news", NEWS)
def test_many_rules_sharing_terms_score_as_each_alone(news: Article) -> None:
    rules = many_rules(60)
    together = {e.rule.id: e for e in Matcher(rules).evaluate(news, every=True)}
    for r in rules:
        assert together[r.id] == explain(r, news)
    assert Matcher(rules).match(news) == [e.to_match() for e in together.values() if e.matched]


def test_evaluate_covers_rules_with_hits_or_every_rule() -> None:
    rules = [rule(group("GPU*"), rule_id="gpu"), rule(group("battery"), rule_id="battery"),
             rule(group("cloud"), rule_id="cloud", exclude=("GPU*",))]
    matcher = Matcher(rules)
    news = article("GPUs in the cloud")
    assert [e.rule.id for e in matcher.evaluate(news)] == ["gpu", "cloud"]
    assert [e.rule.id for e in matcher.evaluate(news, every=True)] == ["gpu", "battery", "cloud"]
    assert [m.rule_id for m in matcher.match(news)] == ["gpu"]


def test_explain_an_unknown_rule() -> None:
    with pytest.raises(KeyError):
        Matcher([rule(group("GPU*"))]).explain("nope", article("GPU"))


def test_find_reports_spans_by_term_index() -> None:
    matcher = Matcher([rule(group("data centre", "GPU*"))])
    assert matcher.find("GPUs in a data centre") == {1: [(0, 4)], 0: [(10, 21)]}
    assert matcher.find("") == {}


# --- properties -------------------------------------------------------------------------

RULES = [
    rule(group("AI gigafactor*", "AI factor*", weight=5),
         group("data centre", "data center", "datacenter", "hyperscale*", weight=2),
         group("GPU*", r"/\bH[12]00\b/", "accelerator*", weight=2, near=["AI", "train*",
                                                                          "cluster*"], within=3),
         group("battery", "gigafactor*", weight=-2),
         threshold=4, rule_id="infra", require=(("AI", "GPU*", "data cent*"),),
         exclude=("Stargate SG-1",)),
    rule(group("GPU*", "chip*", weight=2), group("Nvidia", "AMD", weight=1.5, near=["GPU*"],
                                                 within=2),
         threshold=3, rule_id="chips", fields={"title": 3.0, "content": 0.5}),
    rule(group("istanbul", "İzmir"), group("data centre", "C++", "$500"), threshold=2,
         rule_id="city", require=(("istanbul", "İzmir"), ("data cent*", "$500"))),
    rule(group("go go", "σύστημα", weight=0.1), group("/\\b\\d+\\s?GW\\b/", weight=0.2),
         threshold=0.3, rule_id="odd", fields={"summary": 0.0}),
]
WORDS = ["AI", "ai", "gigafactory", "Gigafactories", "factory", "data", "centre", "center",
         "datacenter", "hyperscaler", "GPU", "GPUs", "gpu", "H100", "H200", "accelerators",
         "train", "training", "cluster", "battery", "Stargate", "SG-1", "chips", "Nvidia", "AMD",
         "istanbul", "İstanbul", "ISTANBUL", "İzmir", "C++", "$500", "go", "ΣΎΣΤΗΜΑ", "σύστημα",
         "5", "GW", "the", "of"]
NOISE = [" ", " ", "  ", "-", "\u2011", "\u00a0", "\n", ", ", ". ", "", "_", "İ", "ı", "é", "x"]
TEXT = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(NOISE)), max_size=30).map("".join)
ARTICLES = st.builds(article, TEXT, TEXT, TEXT) | st.builds(
    lambda t, s: article(t, s, s), TEXT, TEXT)
MATCHER = Matcher(RULES)


@cache
def pattern(term: str) -> re.Pattern[str]:
    return compile_term(term).pattern


def spans(term: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern(term).finditer(text)]


def near(a: tuple[int, int], b: tuple[int, int], text: str, within: int) -> bool:
    first, second = sorted([a, b])
    return first[1] > second[0] or len(re.findall(r"\w+", text[first[1]:second[0]])) < within


def reference(r: Rule, a: Article) -> tuple[float, bool, list[list[tuple[str, str, int, int]]]]:
    """The rule semantics written plainly: every term searched on its own."""
    weights = r.field_weights()
    score, kept = 0.0, []
    for g in r.signals:
        hits = []
        for name in FIELDS:
            text = a.text(name)
            anchors = [s for t in g.near for s in spans(t, text)]
            hits += [(t, name, *s) for t in g.terms for s in spans(t, text)
                     if not g.near or any(near(s, o, text, g.within) for o in anchors if o != s)]
        if hits:
            score += g.weight * max(weights[name] for _, name, _, _ in hits)
        kept.append(hits)
    score = round(score, 6)
    hit = {t for t in {*r.exclude, *(t for alts in r.require for t in alts)}
           if any(spans(t, a.text(name)) for name in FIELDS)}
    matched = score >= r.threshold and all(hit & set(alts) for alts in r.require) \
        and not hit & set(r.exclude)
    return score, matched, kept


@settings(max_examples=250)
@given(ARTICLES)
def test_agrees_with_the_plain_reference(news: Article) -> None:
    for evaluation in MATCHER.evaluate(news, every=True):
        score, matched, kept = reference(evaluation.rule, news)
        assert (evaluation.score, evaluation.matched) == (score, matched)
        assert [[(h.term, h.field, h.start, h.end) for h in g.hits]
                for g in evaluation.groups] == kept
    assert [(m.rule_id, m.score) for m in MATCHER.match(news)] == \
        [(r.id, s) for r in RULES for s, ok, _ in [reference(r, news)] if ok]


@settings(max_examples=250)
@given(ARTICLES)
def test_match_is_evaluate_then_to_match(news: Article) -> None:
    assert MATCHER.match(news) == [e.to_match() for e in MATCHER.evaluate(news) if e.matched]


@settings(max_examples=200)
@given(st.builds(article, st.text(), st.text(), st.text()))
def test_never_raises_and_offsets_slice_to_the_text(news: Article) -> None:
    evaluations = MATCHER.evaluate(news, every=True)
    MATCHER.match(news)
    MATCHER.explain("infra", news)
    for evaluation in evaluations:
        hits = [h for g in evaluation.groups for h in (*g.hits, *g.not_near)]
        hits += [h for r in evaluation.require for h in r.hits] + list(evaluation.excluded)
        for h in hits:
            assert news.text(h.field)[h.start:h.end] == h.text


def test_penalty_hits_are_not_reported_as_why_an_article_matched() -> None:
    from monitor.model import Article, Rule, SignalGroup
    from monitor.rules.match import Matcher

    rule = Rule(id="r", threshold=2, signals=(SignalGroup(("supercomputer",), 5),
                                              SignalGroup(("laptops",), -1)))
    article = Article("u", "", "Exascale supercomputer", "As fast as five million laptops")
    (match,) = Matcher([rule]).match(article)
    assert match.score == 9.0  # 5 x 2 (title) - 1 x 1 (summary)
    assert [h.text for h in match.hits] == ["supercomputer"]
    (evaluation,) = Matcher([rule]).evaluate(article)
    assert evaluation.to_match() == match
