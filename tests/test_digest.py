"""Grouping items into stories, ranking them, and building a channel's digest."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import monitor.digest as digest_module
from monitor.digest import best_rule, build_digest, group_stories, rank_stories, story_id
from monitor.errors import ConfigError
from monitor.model import Article, Item, Match, Story
from monitor.stories import WINDOW, Profile

FIXTURE = Path(__file__).parent / "data" / "stories" / "articles.json"
NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
RULE = "ai-infrastructure"


def fixture_items(score: float = 10.0) -> dict[str, tuple[str, Item]]:
    """uid -> (event, item) for the hand-written articles in tests/data/stories/."""
    out = {}
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        published = datetime.fromisoformat(row["published"]) if row["published"] else None
        article = Article(uid=row["uid"], url=row["url"], title=row["title"],
                          summary=row["summary"], published=published, source=row["source"])
        out[row["uid"]] = (row["event"], item(article, score))
    return out


def item(article: Article, score: float = 10.0, rule: str = RULE) -> Item:
    return Item(article=article, matches=(Match(rule_id=rule, score=score, hits=()),))


def lone(uid: str, *, source: str = "", score: float = 10.0, age: timedelta | None = None,
         rule: str = RULE, sources: int = 1) -> Story:
    """A story on its own topic, from `sources` outlets, published `age` before NOW."""
    when = None if age is None else NOW - age
    items = [item(Article(uid=f"{uid}-{k}", url=f"https://x.example/{uid}/{k}", title=uid,
                          published=when, source=source or f"{uid}-outlet-{k}"),
                  score, rule) for k in range(sources)]
    return Story(id=uid, lead=items[0], others=tuple(items[1:]))


def partition(stories: list[Story]) -> set[frozenset[str]]:
    return {frozenset(i.article.uid for i in story.items) for story in stories}


def test_groups_the_same_event_from_three_outlets_and_keeps_near_misses_apart() -> None:
    fixture = fixture_items()
    expected: dict[str, set[str]] = {}
    for uid, (event, _) in fixture.items():
        expected.setdefault(event, set()).add(uid)
    stories = group_stories([i for _, i in fixture.values()])
    assert partition(stories) == {frozenset(uids) for uids in expected.values()}
    lulea = next(s for s in stories if s.lead.article.uid.startswith("wire-nordvik-lulea"))
    assert set(lulea.sources) == {"Nordic Business Wire", "Compute Weekly",
                                  "DataCentre Dynamics Europe"}


def test_lead_is_highest_score_then_earliest_then_input_order() -> None:
    fixture = fixture_items()
    wire, blog, trade = (fixture[u][1] for u in ("wire-nordvik-lulea", "blog-sweden-gigafactory",
                                                  "trade-nordvik-1gw"))
    # the blog scores highest: it leads though it is later
    stories = group_stories([wire, item(blog.article, 12.0), trade])
    assert [s.lead.article.uid for s in stories] == ["blog-sweden-gigafactory"]
    # equal scores: the earliest published leads; the undated trade article comes last
    stories = group_stories([trade, blog, wire])
    assert [i.article.uid for i in stories[0].items] == [
        "wire-nordvik-lulea", "blog-sweden-gigafactory", "trade-nordvik-1gw"]
    # equal scores and no dates: the order the items came in
    undated = [item(replace(i.article, published=None)) for i in (blog, wire, trade)]
    assert group_stories(undated)[0].lead.article.uid == "blog-sweden-gigafactory"


def test_story_id_is_a_stable_hash_of_the_lead_and_input_order_does_not_matter() -> None:
    items = [i for _, i in fixture_items().values()]
    first = group_stories(items)
    for story in first:
        assert story.id == hashlib.sha256(story.lead.article.uid.encode()).hexdigest()[:12]
        assert story.id == story_id(story.lead)
    shuffled = items[:]
    random.Random(4).shuffle(shuffled)
    again = group_stories(shuffled)
    assert partition(again) == partition(first)
    assert {s.id for s in again} == {s.id for s in first}
    assert [s.id for s in group_stories(items)] == [s.id for s in first]


def test_same_text_outside_the_window_is_a_new_story() -> None:
    _, wire = fixture_items()["wire-nordvik-lulea"]
    when = wire.article.published
    assert when is not None

    def copy(uid: str, delta: timedelta) -> Item:
        return item(Article(uid=uid, url=f"https://copy.example/{uid}", title=wire.article.title,
                            summary=wire.article.summary, published=when + delta))

    inside = group_stories([wire, copy("inside", WINDOW)])
    outside = group_stories([wire, copy("outside", WINDOW + timedelta(seconds=1))])
    assert len(inside) == 1 and len(outside) == 2
    # a cluster never spans more than the window, even through an article in between
    chain = group_stories([wire, copy("mid", WINDOW / 2), copy("late", WINDOW * 1.5)])
    assert len(chain) == 2


def acme(word: str, url: str = "") -> Item:
    """An item whose only distinctive term is `word`; all of them share the name AcmeCorp."""
    return item(Article(uid=word, url=url or f"https://x.example/{word}", title=f"AcmeCorp {word}"))


def fake_similarity(monkeypatch: pytest.MonkeyPatch, table: dict[tuple[str, str], float]) -> None:
    """Replace the pairwise score with a table keyed by the two items' distinctive words."""

    def word(p: Profile) -> str:
        return next(t for t in p.fingerprint.title if t != "acmecorp")

    def fake(a: Profile, b: Profile, window: timedelta = WINDOW) -> float:
        return table.get((word(a), word(b)), table.get((word(b), word(a)), 0.0))

    monkeypatch.setattr(digest_module, "similarity", fake)


def test_a_bridge_article_does_not_chain_two_stories(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_similarity(monkeypatch, {("alpha", "bravo"): 0.6, ("bravo", "charlie"): 0.4})
    stories = group_stories([acme("alpha"), acme("bravo"), acme("charlie")])
    assert partition(stories) == {frozenset(("alpha", "bravo")), frozenset(("charlie",))}


def test_one_article_seen_twice_is_one_vote(monkeypatch: pytest.MonkeyPatch) -> None:
    # "repost" has the URL of "alpha" but none of its words; it must not outvote "alpha"
    fake_similarity(monkeypatch, {("alpha", "bravo"): 0.4})
    items = [acme("alpha"), acme("repost", url="https://x.example/alpha"), acme("bravo")]
    assert partition(group_stories(items)) == {frozenset(("alpha", "repost", "bravo"))}


def test_rank_caps_stories_led_by_one_source() -> None:
    stories = [lone(f"wire-{k}", source="Wire", score=20 - k) for k in range(5)]
    stories.append(lone("blog-0", source="Blog", score=1))
    ranked = rank_stories(stories, now=NOW, max_stories=10, per_source=3)
    assert [s.id for s in ranked] == ["wire-0", "wire-1", "wire-2", "blog-0"]
    assert len(rank_stories(stories, now=NOW, max_stories=10, per_source=None)) == 6
    assert len(rank_stories(stories, now=NOW, max_stories=10, per_source=0)) == 6
    assert [s.id for s in rank_stories(stories, now=NOW, max_stories=2)] == ["wire-0", "wire-1"]
    unknown = [Story(s.id, item(replace(s.lead.article, source=""))) for s in stories]
    assert len(rank_stories(unknown, now=NOW, max_stories=10, per_source=3)) == 6


def test_rank_weighs_sources_recency_and_score_with_stable_ties() -> None:
    covered = lone("covered", score=10, sources=4, age=timedelta(hours=2))
    single = lone("single", score=12, age=timedelta(hours=2))
    stale = lone("stale", score=12, age=timedelta(days=3))
    fresh = lone("fresh", score=12, age=timedelta(minutes=5))
    ranked = rank_stories([stale, single, covered, fresh], now=NOW, max_stories=10)
    assert [s.id for s in ranked] == ["covered", "fresh", "single", "stale"]
    twins = [lone("b", score=5, age=timedelta(hours=1)), lone("a", score=5, age=timedelta(hours=1))]
    assert [s.id for s in rank_stories(twins, now=NOW, max_stories=5)] == ["a", "b"]


def _wire(uid: str, hours: float, source: str = "Wire") -> Item:
    return item(Article(uid=uid, url=f"https://x.example/{uid}", title=f"story {uid}",
                        published=NOW - timedelta(hours=hours), source=source))


@pytest.mark.parametrize(("max_stories", "per_source", "shown", "note"), [
    (15, 2, 4, "2 more stories not shown: per-source cap 2"),
    (2, 0, 2, "4 more stories not shown: max_stories 2"),
    (3, 2, 3, "3 more stories not shown: 2 over the per-source cap 2, 1 past max_stories 3"),
    (15, 0, 6, None),
])
def test_build_digest_says_what_its_limits_left_out(max_stories: int, per_source: int,
                                                    shown: int, note: str | None) -> None:
    # an aggregator: every item from one source, and two stories from elsewhere, older
    items = [_wire(f"w{k}", k) for k in range(4)] + [_wire("o1", 10, "Other"),
                                                     _wire("o2", 11, "Else")]
    digest = build_digest("c", items, now=NOW, since=None, until=NOW, max_stories=max_stories,
                          per_source=per_source, notes=["a feed is failing"])
    assert len(digest.stories) == shown
    assert digest.notes == ((note,) if note else ()) + ("a feed is failing",)
    assert sum(digest.not_shown.values()) == len(items) - shown


def test_one_more_story_is_singular() -> None:
    items = [_wire(f"w{k}", k) for k in range(4)]
    digest = build_digest("c", items, now=NOW, since=None, until=NOW, per_source=3)
    assert digest.notes == ("1 more story not shown: per-source cap 3",)


def test_build_digest_drops_a_story_already_posted_from_another_outlet() -> None:
    fixture = fixture_items()
    items = [i for uid, (_, i) in fixture.items() if uid != "blog-sweden-gigafactory"]
    posted = [fixture["blog-sweden-gigafactory"][1].article]
    digest = build_digest("ai-infra", items, now=NOW, since=NOW - timedelta(days=1), until=NOW,
                          posted=posted)
    leads = {s.lead.article.uid for s in digest.stories}
    assert not leads & {"wire-nordvik-lulea", "trade-nordvik-1gw", "wire-nordvik-lulea-update"}
    assert "wire-nordvik-halden-supply" in leads  # the near miss is news
    everything = build_digest("ai-infra", items, now=NOW, since=None, until=NOW)
    assert len(everything.stories) == len(digest.stories) + 1


def test_build_digest_sections_by_the_leads_best_rule_in_rank_order() -> None:
    fixture = fixture_items()
    halden = [item(fixture[u][1].article, 30.0, "chips") for u in ("markets-halden-quarter",
                                                                     "chips-halden-beats")]
    grid = Item(fixture["grid-ireland-demand"][1].article, (Match("power", 6.0, ()),
                                                            Match("chips", 6.0, ())))
    lulea = fixture["wire-nordvik-lulea"][1]
    digest = build_digest("ai-infra", [*halden, grid, lulea], now=NOW, since=None, until=NOW,
                          rule_names={"chips": "AI chips"}, notes=("1 feed failed",))
    assert [(s.title, [x.lead.article.uid for x in s.stories]) for s in digest.sections] == [
        ("AI chips", ["markets-halden-quarter", "grid-ireland-demand"]),
        (RULE, ["wire-nordvik-lulea"]),
    ]
    assert digest.notes == ("1 feed failed",) and digest.generated_at == NOW
    flat = build_digest("ai-infra", [*halden, grid, lulea], now=NOW, since=None, until=NOW,
                        sections="none", max_stories=2)
    assert [s.title for s in flat.sections] == [""] and len(flat.stories) == 2
    assert best_rule(Item(lulea.article, ())) == ""
    empty = build_digest("ai-infra", [], now=NOW, since=None, until=NOW)
    assert empty.sections == ()


@pytest.mark.parametrize("bad", [{"max_stories": -1}, {"per_source": -1}, {"sections": "feed"}])
def test_build_digest_rejects_bad_settings(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        build_digest("c", [], now=NOW, since=None, until=NOW, **bad)  # type: ignore[arg-type]


words = st.sampled_from(["Nvidia", "OpenAI", "$4B", "$40 billion", "6GW", "H20", "H200", "data",
                         "centre", "deal", "Luleå", "U.S.", "on July 14", "AI", "—", "Ltd.", ""])
headlines = st.lists(words, max_size=12).map(" ".join) | st.text(max_size=80)
articles = st.builds(
    Article, uid=st.text(max_size=4), url=st.sampled_from(["", "https://a.example/1",
                                                            "https://b.example/2"]),
    title=headlines, summary=headlines, source=st.sampled_from(["", "Wire", "Blog"]),
    published=st.none() | st.datetimes(datetime(2026, 1, 1), datetime(2026, 1, 10),
                                       timezones=st.just(UTC)))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(articles, st.floats(0, 50)), max_size=25))
def test_grouping_never_raises_and_every_item_lands_in_exactly_one_story(
    pairs: list[tuple[Article, float]],
) -> None:
    items = [item(article, score) for article, score in pairs]
    stories = group_stories(items)
    placed = [id(i) for story in stories for i in story.items]
    assert sorted(placed) == sorted(id(i) for i in items)
    assert all(story.lead.score >= max(i.score for i in story.items) for story in stories)


def test_sections_per_signal_group_with_readable_titles() -> None:
    from datetime import UTC, datetime

    from monitor.digest import build_digest
    from monitor.model import Article, Hit, Item, Match, Rule, SignalGroup
    from monitor.posting import section_titles

    rule = Rule(id="infra", name="AI infrastructure", threshold=1,
                signals=(SignalGroup(("data centre",), 2, name="data-centres"),
                         SignalGroup(("GPU*",), 2, name="accelerators")))
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)

    def item(uid: str, title: str, group: int, term: str) -> Item:
        hit = Hit(term, "title", term, 0, len(term), group)
        return Item(Article(uid, f"https://{uid}.example/", title, source=uid, published=now),
                    (Match("infra", 4.0, (hit,)),))

    items = [item("a", "Oracle opens a data centre in Ohio", 0, "data centre"),
             item("b", "Nvidia ships GPUs to Nebius in Finland", 1, "GPUs"),
             item("c", "Equinix plans a data centre in Lyon", 0, "data centre")]
    digest = build_digest("c", items, now=now, since=None, until=now, sections="group",
                          per_source=0, rule_names=section_titles([rule]))
    titles = {s.title: sorted(st.lead.article.uid for st in s.stories) for s in digest.sections}
    assert titles == {"AI infrastructure: data centres": ["a", "c"],
                      "AI infrastructure: accelerators": ["b"]}
    by_rule = build_digest("c", items, now=now, since=None, until=now, sections="rule",
                           per_source=0, rule_names=section_titles([rule]))
    assert [s.title for s in by_rule.sections] == ["AI infrastructure"]
