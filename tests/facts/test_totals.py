"""The week in figures: one project once, whatever the outlets and follow-ups that repeat it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.facts.totals import biggest, build_tracker, counted, projects, same_project
from monitor.model import Article, Facts, Item, Match, Money, Story

UNTIL = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
SINCE = UNTIL - timedelta(days=7)
HYPERION = Facts(power_mw=(5000.0, 2000.0), investment=(Money(2.7e10, "USD"),),
                 companies=("Meta", "Blue Owl"), places=("Louisiana",), status="financed")


def story(name: str, *facts: Facts, days_ago: float = 3.0) -> Story:
    """A story of one article per Facts, the first the lead."""
    published = UNTIL - timedelta(days=days_ago)
    items = [Item(Article(f"{name}-{n}", f"https://news.example/{name}/{n}", f"{name} {n}",
                          published=published + timedelta(hours=n), source=f"Outlet {n}"),
                  (Match("ai-infrastructure", 9.0, ()),), facts=f)
             for n, f in enumerate(facts)]
    return Story(name, items[0], tuple(items[1:]))


def test_one_story_told_by_three_outlets_counts_once_with_their_facts_merged() -> None:
    told = story("hyperion", HYPERION, Facts(power_mw=(5000.0,), companies=("Meta",),
                                              status="announced"),
                 Facts(investment=(Money(2.7e10, "USD"),), places=("Richland Parish",)))
    tracker = build_tracker([told], since=SINCE, until=UNTIL)
    (totals,) = tracker.totals
    assert (totals.status, totals.projects, totals.sites, totals.power_mw, totals.money,
            totals.gpus) == ("financed", 1, 1, 5000.0, (Money(2.7e10, "USD"),), 0)
    (project,) = tracker.largest
    assert project.facts.places == ("Louisiana", "Richland Parish")
    assert (project.title, project.url) == ("hyperion 0", "https://news.example/hyperion/0")


def test_a_follow_up_repeating_a_figure_is_the_same_project_at_its_furthest_stage() -> None:
    announced = story("announce", Facts(power_mw=(1200.0,), companies=("OpenAI", "Oracle"),
                                        places=("Abilene", "Texas"), status="announced"),
                      days_ago=6)
    building = story("building", Facts(power_mw=(1205.0,), gpus=(400000,),
                                       companies=("Crusoe",), places=("Abilene",),
                                       status="under construction"), days_ago=1)
    tracker = build_tracker([building, announced], since=SINCE, until=UNTIL)
    (totals,) = tracker.totals
    assert (totals.status, totals.projects, totals.power_mw, totals.gpus) == \
        ("under construction", 1, 1200.0, 400000)
    (project,) = tracker.largest
    assert project.title == "announce 0" and project.stories == 2  # the first telling names it


def test_the_same_figure_without_a_company_or_place_in_common_is_another_project() -> None:
    a = Facts(power_mw=(1000.0,), companies=("Microsoft",), places=("Wisconsin",))
    b = Facts(power_mw=(1000.0,), companies=("xAI",), places=("Memphis",))
    assert not same_project(a, b)
    assert same_project(a, Facts(power_mw=(1000.0,), companies=("Microsoft Corp.",)))
    # the same company, but no figure in common: two projects
    assert not same_project(a, Facts(power_mw=(300.0,), companies=("Microsoft",)))
    assert same_project(Facts(investment=(Money(1.74e10, "USD"),), companies=("Nebius",)),
                        Facts(investment=(Money(1.74e10, "USD"),), companies=("Nebius",)))
    assert not same_project(Facts(investment=(Money(1e10, "USD"),), companies=("Meta",)),
                            Facts(investment=(Money(1e10, "EUR"),), companies=("Meta",)))


def test_totals_by_stage_each_project_at_its_headline_figure_of_each_kind() -> None:
    stories = [
        story("a", Facts(power_mw=(1000.0, 5000.0), investment=(Money(1e10, "USD"),
                                                                Money(3e9, "USD")),
                         companies=("A",), status="announced")),
        story("b", Facts(investment=(Money(2e11, "EUR"), Money(5e9, "USD")), gpus=(100000,),
                         companies=("B",), status="announced")),
        story("c", Facts(places=("Finland",), power_mw=(20.0,), status="operational",
                         companies=("C",))),
        story("d", Facts(gpus=(18000,), companies=("D",))),
        story("e", Facts(companies=("E",), status="announced")),  # no figure, no place
        story("f", Facts(places=("China",), status="announced")),  # a place and a stage alone
    ]
    tracker = build_tracker(stories, since=SINCE, until=UNTIL)
    assert tracker.stories == 6
    announced, operational, unknown = tracker.totals
    # "a" counts its first capacity and amount, not the 5 GW and $3bn said after them
    assert (announced.status, announced.projects, announced.sites, announced.power_mw,
            announced.gpus) == ("announced", 2, 1, 1000.0, 100000)
    assert announced.money == (Money(2e11, "EUR"), Money(1.5e10, "USD"))  # largest first
    assert (operational.status, operational.projects, operational.sites) == ("operational", 1, 1)
    assert (unknown.status, unknown.projects, unknown.sites, unknown.gpus) == (None, 1, 0, 18000)


def test_the_largest_in_one_order_whatever_their_kind_and_currency() -> None:
    found = projects([
        story("campus", Facts(power_mw=(5000.0,), companies=("P",))),
        story("deal", Facts(investment=(Money(4e10, "USD"),), companies=("M",))),
        story("fund", Facts(investment=(Money(2e11, "EUR"),), companies=("E",))),
        story("cluster", Facts(gpus=(200000,), companies=("C",))),
        story("crore", Facts(investment=(Money(1e11, "INR"),), companies=("I",))),
        story("site", Facts(power_mw=(50.0,), companies=("S",))),
        story("rand", Facts(investment=(Money(1e12, "ZAR"),), companies=("Z",))),  # no rate
    ])
    # 1 GW, $10bn and 100,000 GPUs count alike: €200bn > 5 GW > $40bn > 200,000 GPUs
    assert [p.title for p in biggest(found, 10)] == \
        ["fund 0", "campus 0", "deal 0", "cluster 0", "crore 0", "site 0"]
    assert [p.title for p in biggest(found, 2)] == ["fund 0", "campus 0"]


def test_what_counts() -> None:
    assert counted(Facts(gpus=(1,))) and counted(Facts(investment=(Money(1.0, "EUR"),)))
    assert not counted(Facts(places=("China",), status="announced"))
    assert not counted(Facts(companies=("Nvidia",), chips=("H20",), status="announced"))


def test_an_empty_week() -> None:
    tracker = build_tracker([], since=SINCE, until=UNTIL)
    assert (tracker.stories, tracker.totals, tracker.largest) == (0, (), ())
