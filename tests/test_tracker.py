"""The tracker's services over a real store: stored stories, the week in figures, its day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.config import Channel
from monitor.model import Article, Match, Money
from monitor.store import Store
from monitor.tracker import stored_stories, tracker_due, week_tracker

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday
BRUSSELS = ZoneInfo("Europe/Brussels")
WEEK = [
    # (days before NOW, source, title, text)
    (6.0, "Data Center Daily", "Meta and Blue Owl close $27 billion financing for Hyperion "
     "data center in Louisiana", "Meta Platforms has closed a $27 billion financing with Blue "
     "Owl Capital for Hyperion, its AI data center in Richland Parish, Louisiana. The campus is "
     "planned to grow to 5 gigawatts."),
    (5.9, "Power Wire", "Meta, Blue Owl seal $27bn deal to fund Hyperion AI data center in "
     "Louisiana", "Blue Owl Capital and Meta agreed a $27 billion financing for the Hyperion "
     "data center in Louisiana, which will reach 5 GW."),
    (1.0, "Grid Today", "Construction under way at Meta's 5 GW Hyperion campus", "Meta said "
     "construction is under way at its 5 GW Hyperion AI data center in Richland Parish, "
     "Louisiana, where the first buildings are rising."),
    (2.0, "Chip Times", "xAI switches on Colossus 2 in Memphis with 300 MW and 110,000 GPUs",
     "xAI has switched on Colossus 2 in Memphis, Tennessee, a 300 MW AI cluster with 110,000 "
     "Nvidia GB200 GPUs, the company said."),
    (3.0, "Chip Times", "Nvidia shows its Rubin roadmap to AI developers", "Nvidia showed "
     "the next generation of its AI accelerators, Rubin, to developers in San Jose."),
    (9.0, "Old News", "OpenAI plans 1.2 GW Stargate AI data center in Abilene, Texas",
     "OpenAI plans a 1.2 GW data center in Abilene, Texas, with Oracle."),
]


def fill(store: Store, rows: list[tuple[float, str, str, str]] = WEEK) -> None:
    for n, (days, source, title, text) in enumerate(rows):
        seen = NOW - timedelta(days=days)
        article = Article(f"u{n}", f"https://news.example/{n}", title, content=text,
                          published=seen, source=source)
        with store.begin() as c:
            store.save_articles([article], seen, c)
            store.save_matches({article.uid: [Match("compute", 9.0, ())]}, seen, c)


def test_the_week_in_figures_counts_each_project_once(store: Store) -> None:
    fill(store)
    channel = Channel("ai-infra", tracker="thu")
    tracker = week_tracker(store, channel, now=NOW, zone=UTC, last=None)
    assert tracker is not None and tracker.stories == 4  # the 9-day-old one is out
    by_stage = {t.status: t for t in tracker.totals}
    assert set(by_stage) == {"under construction", "operational"}
    hyperion = by_stage["under construction"]  # financed, then building: told 3 times
    assert (hyperion.projects, hyperion.power_mw, hyperion.money) == \
        (1, 5000.0, (Money(2.7e10, "USD"),))
    colossus = by_stage["operational"]
    assert (colossus.projects, colossus.power_mw, colossus.gpus) == (1, 300.0, 110000)
    assert [p.title for p in tracker.largest] == [WEEK[0][2], WEEK[3][2]]
    assert tracker.largest[0].stories == 2  # two stories: the financing, the construction


def test_a_tracker_only_on_the_channel_s_day_in_its_zone_and_once(store: Store) -> None:
    fill(store)
    thursday = Channel("ai-infra", tracker="thu")
    assert week_tracker(store, Channel("ai-infra"), now=NOW, zone=UTC, last=None) is None
    assert week_tracker(store, Channel("x", tracker="fri"), now=NOW, zone=UTC, last=None) is None
    # 23:30 UTC on Thursday is already Friday in Brussels
    late = NOW.replace(hour=23, minute=30)
    assert not tracker_due(thursday, now=late, zone=BRUSSELS, last=None)
    assert tracker_due(thursday, now=late, zone=UTC, last=None)
    # only the first digest of the day carries it
    assert tracker_due(thursday, now=NOW, zone=UTC, last=NOW - timedelta(hours=10))
    assert not tracker_due(thursday, now=NOW, zone=UTC, last=NOW - timedelta(hours=1))


def test_stored_stories_oldest_first_with_their_facts_merged(store: Store) -> None:
    fill(store)
    rows = stored_stories(store, since=NOW - timedelta(days=7), until=NOW)
    assert [r.story.lead.article.title for r in rows] == \
        [WEEK[0][2], WEEK[4][2], WEEK[3][2], WEEK[2][2]]
    first = rows[0]
    assert first.date == NOW - timedelta(days=6)
    assert len(first.story.items) == 2 and first.facts.status == "financed"
    assert first.facts.investment == (Money(2.7e10, "USD"),)
    assert "Blue Owl" in first.facts.companies
    everything = stored_stories(store, since=None, until=NOW)
    assert len(everything) == 5
