"""Same-story judgement: normalisation, contradicting facts, the window, the posted index."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.digest import group_stories
from monitor.embedding import load_model
from monitor.fingerprint import fingerprint
from monitor.model import Article, Item, Story
from monitor.stories import THRESHOLD, WINDOW, candidate_pairs, profiles, same_story
from monitor.story_index import StoryIndex

FIXTURE = Path(__file__).parent / "data" / "stories" / "articles.json"
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def load_fixture() -> dict[str, tuple[str, Article]]:
    """uid -> (event, article) for the hand-written articles in tests/data/stories/."""
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {row["uid"]: (row["event"], _article(row)) for row in rows}


def _article(row: dict[str, str]) -> Article:
    published = datetime.fromisoformat(row["published"]) if row["published"] else None
    return Article(uid=row["uid"], url=row["url"], title=row["title"], summary=row["summary"],
                   published=published, source=row["source"])


def news(uid: str, title: str, summary: str = "", published: datetime | None = T0,
         source: str = "") -> Article:
    return Article(uid=uid, url=f"https://news.example/{uid}", title=title, summary=summary,
                   published=published, source=source or uid)


@pytest.mark.parametrize("semantic", [True, False], ids=["with-model", "lexical"])
def test_one_event_from_different_outlets_is_one_story_and_others_are_not(
        semantic: bool) -> None:
    fixture = load_fixture()
    corpus = [article for _, article in fixture.values()]
    # the bare "UPDATE" repost is the same article by URL; pairwise it says too little
    judged = {uid: pair for uid, pair in fixture.items() if uid != "wire-nordvik-lulea-update"}
    for (event_a, a), (event_b, b) in itertools.combinations(judged.values(), 2):
        assert same_story(a, b, corpus=corpus, semantic=semantic) == (event_a == event_b), \
            (a.uid, b.uid)


def test_near_miss_same_company_different_deal_stays_apart() -> None:
    fixture = load_fixture()
    lulea, supply = fixture["wire-nordvik-lulea"][1], fixture["wire-nordvik-halden-supply"][1]
    assert not same_story(lulea, supply)


def test_canonical_url_equality_is_the_same_story_whatever_the_text() -> None:
    fixture = load_fixture()
    original, update = fixture["wire-nordvik-lulea"][1], fixture["wire-nordvik-lulea-update"][1]
    assert original.url == update.url
    assert same_story(original, update)
    assert same_story(original, replace(update, published=T0 + 30 * WINDOW))


@pytest.mark.parametrize("written", ["$40B", "$40 billion", "US$40bn", "USD 40 billion",
                                     "40 billion dollars", "$40,000 million"])
def test_amounts_written_differently_are_one_figure(written: str) -> None:
    print_ = fingerprint(news("a", f"Northwind leads {written} takeover of Arcadia Data Centers"))
    assert [(kind, round(value)) for kind, value in print_.headline] == [("$", 40_000_000_000)]


@pytest.mark.parametrize(("written", "watts"), [("6GW", 6e9), ("six gigawatts", 6e9),
                                                ("750 MW", 7.5e8), ("1.2-gigawatt", 1.2e9)])
def test_power_written_differently_is_one_figure(written: str, watts: float) -> None:
    print_ = fingerprint(news("a", f"Helio Grid to supply {written} to an AI campus"))
    assert print_.headline == (("W", watts),)


def test_aliases_and_spelling_variants_normalise_alike() -> None:
    a = fingerprint(news("a", "U.S. approves data centre for Orbital in Ohio"))
    b = fingerprint(news("b", "US approves datacenter for Orbital in Ohio"))
    assert a.terms == b.terms


SAME_DEAL = (
    news("reuters", "Orbital Cloud signs $11.9 billion compute deal with Lumen AI",
         "Orbital Cloud will supply GPU capacity to Lumen AI under a five-year contract worth "
         "$11.9 billion, the companies said on Monday, a sign of how fast Lumen's training "
         "needs are growing.", source="Reuters"),
    news("blog", "Lumen AI commits $12B to Orbital Cloud for GPU capacity",
         "Lumen AI has agreed a five-year, roughly $12 billion deal for GPU capacity from "
         "Orbital Cloud, according to people familiar with the matter.", source="Blog"),
)
LATER_DEAL = news(
    "later", "Lumen AI expands Orbital Cloud contract with new $4 billion deal",
    "Lumen AI is adding $4 billion to its GPU capacity contract with Orbital Cloud, on top of "
    "the $11.9 billion deal signed earlier, the companies said.", source="Wire")


def test_rounded_figures_agree_but_different_amounts_split() -> None:
    assert same_story(*SAME_DEAL)
    assert not same_story(SAME_DEAL[0], LATER_DEAL)
    assert not same_story(SAME_DEAL[1], LATER_DEAL)


def test_different_product_codes_are_different_stories() -> None:
    summary = ("Washington will let Vantor ship its {code} accelerator to customers in China, "
               "the company said, reversing export restrictions on the chip.")
    h20 = news("h20", "Vantor cleared to sell H20 chips to China", summary.format(code="H20"))
    h200 = news("h200", "Vantor cleared to sell H200 chips to China", summary.format(code="H200"))
    h20_again = news("h20b", "Vantor wins licence for H20 sales to China",
                     summary.format(code="H20"))
    assert same_story(h20, h20_again)
    assert not same_story(h20, h200)


@pytest.mark.parametrize("semantic", [True, False], ids=["with-model", "lexical"])
def test_headlines_that_count_differently_are_different_stories(semantic: bool) -> None:
    text = "Helio Grid will build {n} gas plants to power Orbital's AI campus in Ohio."
    ten = news("ten", "Helio Grid to build 10 gas plants for Orbital's AI campus",
               text.format(n=10))
    again = news("again", "Helio Grid to build 10 gas plants for Orbital's AI campus in Ohio",
                 text.format(n=10))
    three = news("three", "Helio Grid to build 3 gas plants for Orbital's AI campus",
                 text.format(n=3))
    assert same_story(ten, again, semantic=semantic)
    assert not same_story(ten, three, semantic=semantic)


def test_dates_stated_months_apart_are_different_stories() -> None:
    text = "On {date}, Vantor said Washington would license its accelerator sales to China."
    july = news("july", "Vantor resumes chip sales to China", text.format(date="July 14"), None)
    july2 = news("july2", "Vantor to resume chip sales in China", text.format(date="July 15"),
                 None)
    december = news("dec", "Vantor resumes chip sales to China", text.format(date="December 8"),
                    None)
    assert same_story(july, july2)
    assert not same_story(july, december)


@pytest.mark.parametrize(("gap", "same"), [(WINDOW, True), (WINDOW + timedelta(seconds=1), False),
                                           (None, True)])
def test_window_edge(gap: timedelta | None, same: bool) -> None:
    b = replace(SAME_DEAL[1], published=None if gap is None else T0 + gap)
    assert same_story(SAME_DEAL[0], b) is same


def test_story_index_finds_the_posted_article_from_another_outlet() -> None:
    fixture = load_fixture()
    posted = [fixture["blog-sweden-gigafactory"][1], fixture["grid-ireland-demand"][1]]
    index = StoryIndex(posted, corpus=[article for _, article in fixture.values()])
    assert index.find(fixture["trade-nordvik-1gw"][1]) == posted[0]
    assert index.find(fixture["wire-nordvik-halden-supply"][1]) is None
    assert index.find(replace(posted[1], uid="other", title="Changed headline")) == posted[1]
    story = Story("x", Item(fixture["markets-halden-quarter"][1], ()),
                  (Item(fixture["trade-nordvik-1gw"][1], ()),))
    assert index.covers(story)
    assert not StoryIndex([]).covers(story)


UNNAMED = (
    news("u1", "the chipmaker will build its ai supercomputers at home for the first time",
         "the company said on monday that it would assemble its ai supercomputers in "
         "domestic plants with partners."),
    news("u2", "chipmaker to build ai supercomputers at home for the first time",
         "it will assemble its ai supercomputers in domestic plants with partners, the "
         "company said."),
)


@pytest.mark.parametrize("semantic", [True, False], ids=["with-model", "lexical"])
def test_a_name_opening_both_headlines_counts_as_shared(semantic: bool) -> None:
    # "Nvidia" opening a sentence says nothing alone; opening both headlines it is the story
    a = news("a", "Nvidia to build AI supercomputers in the US for the first time")
    b = news("b", "Nvidia says it will build AI supercomputers in the US for the first time")
    c = news("c", "Nvidia says it will resume chip sales in China for the first time")
    assert same_story(a, b, semantic=semantic)
    assert not same_story(b, c, semantic=semantic)
    # and it proposes the pair: grouping and the posted index find it without a shared name
    stories = group_stories([Item(x, ()) for x in (a, b, c)], semantic=semantic)
    assert sorted(len(story.items) for story in stories) == [1, 2]
    assert StoryIndex([a], semantic=semantic).find(b) == a


def test_without_any_shared_name_the_model_still_groups_a_paraphrase() -> None:
    assert load_model() is not None
    assert same_story(*UNNAMED)
    assert not same_story(*UNNAMED, semantic=False)  # the lexical method needs a shared name
    found, vectors = profiles(UNNAMED, model=load_model())
    assert not found[0].names and not found[1].names
    assert candidate_pairs(found, vectors) == [(0, 1)]
    assert candidate_pairs(found) == []


def test_nearest_tells_a_repeat_from_news_about_a_posted_story() -> None:
    index = StoryIndex([SAME_DEAL[0]])
    repeat = index.nearest(SAME_DEAL[1])
    assert repeat is not None and repeat[0] == SAME_DEAL[0] and repeat[1].same
    update = index.nearest(LATER_DEAL)
    assert update is not None and update[0] == SAME_DEAL[0]
    _, comparison = update
    assert not comparison.same and comparison.affinity >= THRESHOLD
    assert comparison.conflicts == ("money",)
    later = replace(SAME_DEAL[1], published=T0 + 2 * WINDOW)  # days later: outside the window
    found = index.nearest(later)
    assert found is not None and "published" in found[1].conflicts and not found[1].same
    assert index.nearest(news("x", "Town library reopens after repairs")) is None


texts = st.text(st.characters(codec="utf-8"), max_size=400)
dates = st.none() | st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(texts, texts, texts, texts, dates, dates)
def test_same_story_never_raises_and_is_symmetric(
    title_a: str, summary_a: str, title_b: str, summary_b: str,
    when_a: datetime | None, when_b: datetime | None,
) -> None:
    a = Article("a", "https://a.example/", title_a, summary_a, published=when_a)
    b = Article("b", "https://b.example/", title_b, summary_b, published=when_b)
    assert same_story(a, b) == same_story(b, a)
    if fingerprint(a).names:  # an identical copy from another outlet is the same story
        assert same_story(a, replace(a, uid="c", url="https://c.example/"))
