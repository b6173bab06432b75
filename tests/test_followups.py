"""Follow-ups: news about a posted story is an update, a repeat stays quiet, another deal is new."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.digest import build_digest
from monitor.followups import Followups, PostedStory, agree, news_of, stated
from monitor.model import Article, Digest, Item, Match, Story

FIXTURE = Path(__file__).parent / "data" / "stories" / "followups.json"
POSTED_AT = datetime(2026, 2, 5, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)


def rows() -> list[dict[str, str]]:
    loaded: list[dict[str, str]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return loaded


def item(row: dict[str, str]) -> Item:
    article = Article(uid=row["uid"], url=row["url"], title=row["title"], summary=row["summary"],
                      published=datetime.fromisoformat(row["published"]), source=row["source"])
    return Item(article, (Match("ai-infrastructure", 6.0, ()),))


def digest(items: list[Item], now: datetime, posted: list[PostedStory],
           recent: bool, semantic: bool = True) -> Digest:
    articles = [a for story in posted for a in story.articles] if recent else []
    return build_digest("ai-infra", items, now=now, since=None, until=now, per_source=0,
                        posted=articles, earlier=posted, semantic=semantic)


def as_posted(stories: tuple[Story, ...], at: datetime = POSTED_AT) -> list[PostedStory]:
    return [PostedStory(s.id, tuple(i.article for i in s.items), at, "C0AIINFRA", f"{k}.000100")
            for k, s in enumerate(stories, start=1)]


def news(uid: str, title: str, summary: str = "") -> Article:
    return Article(uid=uid, url=f"https://news.example/{uid}", title=title, summary=summary,
                   published=LATER, source=uid)


@pytest.mark.parametrize("semantic", [True, False], ids=["with-model", "lexical"])
def test_digests_of_the_fixture_show_each_event_once_and_news_as_updates(semantic: bool) -> None:
    fixture = rows()
    event = {r["uid"]: r["event"] for r in fixture}
    first = digest([item(r) for r in fixture if r["stage"] == "earlier"], POSTED_AT, [],
                   recent=False, semantic=semantic)
    assert sorted({event[i.article.uid] for s in first.stories for i in s.items}) == \
        ["auron-tarragona", "halvard-ostrava", "kestrel-meridian-9bn"]
    posted = as_posted(first.stories)
    ids = {event[s.lead.article.uid]: s.id for s in first.stories}
    # the next day another outlet repeats a posted story: nothing to show
    repeat = [item(r) for r in fixture if r["uid"] == "l-halvard-repeat"]
    assert digest(repeat, POSTED_AT + timedelta(days=1), posted, recent=True,
                  semantic=semantic).stories == ()
    later = [item(r) for r in fixture if r["stage"] == "later" and r["uid"] != "l-halvard-repeat"]
    shown = digest(later, LATER, posted, recent=False, semantic=semantic).stories
    events = [sorted({event[i.article.uid] for i in s.items}) for s in shown]
    assert sorted(e for group in events for e in group) == \
        ["auron-financing", "halvard-ground", "kestrel-meridian-14bn", "solenne-porto"]
    assert all(len(group) == 1 for group in events)  # no event twice, no two in one
    updates = {event[s.lead.article.uid]: s.update for s in shown if s.update}
    assert set(updates) == {"halvard-ground", "auron-financing"}
    ground, loan = updates["halvard-ground"], updates["auron-financing"]
    assert ground is not None and loan is not None
    assert (ground.story, ground.news) == (ids["halvard-ostrava"], ("under construction",))
    assert (loan.story, loan.news) == (ids["auron-tarragona"], ("financed", "€1.2bn"))
    assert (ground.channel_id, ground.posted_at, ground.title) == \
        ("C0AIINFRA", POSTED_AT, posted[[p.id for p in posted].index(ground.story)].articles[0]
         .title)


def test_once_an_update_is_posted_its_repeats_stay_quiet() -> None:
    halvard = PostedStory("h1", (news("a", "Halvard Cloud picks Ostrava for €4 billion AI data "
                                      "centre"),
                                 news("b", "Halvard Cloud breaks ground on Ostrava AI data centre",
                                      "Construction began at the €4 billion site.")), POSTED_AT)
    again = news("c", "Construction begins at Halvard Cloud's Ostrava AI data centre",
                 "Halvard Cloud has begun building its €4bn AI data centre in Ostrava.")
    judge = Followups(list(halvard.articles), [halvard])
    assert judge.decide(Story("s", Item(again, ()))).verdict == "repeat"


def test_another_deal_of_the_same_companies_or_with_a_new_one_is_a_new_story() -> None:
    deal = PostedStory("k1", (news("a", "Meta signs $9 billion compute deal with CoreWeave"),),
                       POSTED_AT)
    bigger = news("b", "Meta signs $14 billion compute deal with CoreWeave")
    partner = news("c", "Meta and Blue Owl Capital broke ground on $9 billion CoreWeave compute "
                   "campus")
    later = news("d", "CoreWeave broke ground on $9 billion AI campus for Meta")
    judge = Followups([], [deal])
    verdicts = [judge.decide(Story(a.uid, Item(a, ()))) for a in (bigger, partner, later)]
    assert [v.verdict for v in verdicts] == ["new", "new", "update"]
    assert verdicts[2].followup is not None
    assert verdicts[2].followup.news == ("under construction",)


def test_without_earlier_stories_a_repeat_of_a_posted_article_is_still_dropped() -> None:
    posted = news("a", "Halvard Cloud picks Ostrava for €4 billion AI data centre")
    repeat = news("b", "Halvard Cloud plans €4bn AI campus in Ostrava")
    judge = Followups([posted], [])
    assert judge.decide(Story("s", Item(repeat, ()))).verdict == "repeat"


@pytest.mark.parametrize(("a", "b", "same"), [
    (17.4e9, 17e9, True),     # "$17B" reports $17.4B
    (593e9, 600e9, True),     # "nearly $600B"
    (11.9e9, 12e9, True),
    (4e9, 4.03e9, True),      # within 1 %
    (14.2e9, 21e9, False),
    (1000.0, 1200.0, False),  # "1 GW" does not report 1.2 GW
    (15.0, 25.0, False),
])
def test_figures_agree_within_one_percent_or_as_a_rounding(a: float, b: float, same: bool) -> None:
    assert agree(a, b) is same and agree(b, a) is same


def test_news_is_a_later_stage_or_a_new_headline_figure_never_a_market_move() -> None:
    known = stated([news("a", "Auron to build 200 MW AI cluster in Tarragona",
                         "Auron plans a 200 MW AI cluster, shares rose 4%.")])
    assert news_of([news("b", "Auron's Tarragona AI cluster is now operational")], known) == \
        ("operational",)
    assert news_of([news("c", "Auron expands Tarragona AI cluster to 500 MW")], known) == \
        ("500 MW",)
    assert news_of([news("d", "Auron to pay 15% of Tarragona cluster revenue to the region")],
                   known) == ("15%",)
    assert news_of([news("e", "Auron shares jump 12% on Tarragona AI cluster plan")], known) == ()
    assert news_of([news("f", "Auron plans 200MW Tarragona AI cluster, shares up 4%")],
                   known) == ()
    assert news_of([news("g", "Auron announces Tarragona AI cluster")], known) == ()
