"""A digest as text, Markdown and JSON: what was left out is said in each, dates as in Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.deliver.console import render_markdown, render_text, to_json
from monitor.deliver.slack import render_digest
from monitor.digest import build_digest
from monitor.facts.merge import story_facts
from monitor.model import (
    Article,
    Digest,
    Facts,
    Followup,
    Item,
    Match,
    Money,
    Project,
    Section,
    Story,
    Totals,
    Tracker,
)

NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)  # a Friday
BRUSSELS = ZoneInfo("Europe/Brussels")


def aggregator(count: int) -> Digest:
    """What one feed that carries every story gives: `count` stories from one source."""
    items = [Item(Article(uid=f"a{k}", url=f"https://agg.example/{k}", title=f"Story number {k}",
                          published=NOW - timedelta(hours=k + 1), source="Aggregator"),
                  (Match("ai-infrastructure", 10.0, ()),)) for k in range(count)]
    return build_digest("ai-infra", items, now=NOW, since=None, until=NOW, per_source=3)


def slack_text(digest: Digest) -> str:
    return json.dumps([part.blocks for part in render_digest(digest, mode="bot", tz=BRUSSELS)],
                      ensure_ascii=False)


@pytest.mark.parametrize("render", [
    lambda d: render_text(d, tz=BRUSSELS),
    lambda d: render_markdown(d, tz=BRUSSELS),
    lambda d: json.dumps(to_json(d)),
    slack_text,
], ids=["text", "markdown", "json", "slack"])
def test_every_format_says_how_many_stories_were_left_out(render) -> None:  # type: ignore[no-untyped-def]
    assert "4 more stories not shown: per-source cap 3" in render(aggregator(7))


def test_json_counts_what_each_limit_left_out() -> None:
    assert to_json(aggregator(7))["not_shown"] == {"per_source": 4, "max_stories": 0}
    assert to_json(aggregator(2))["not_shown"] == {"per_source": 0, "max_stories": 0}


def test_one_story_is_singular() -> None:
    assert "\n1 story · " in render_text(aggregator(1), tz=BRUSSELS)


def test_dates_read_the_same_in_markdown_and_slack() -> None:
    digest = aggregator(1)
    markdown = render_markdown(digest, tz=BRUSSELS)
    assert markdown.startswith("# AI infrastructure digest · Fri 4 Dec 2026\n")
    assert "Aggregator · Fri 4 Dec 08:00 ·" in markdown  # 07:00 UTC is 08:00 in Brussels
    assert "Fri 4 Dec 08:00" in slack_text(digest)
    assert "Fri 04 Dec" not in markdown + render_text(digest, tz=BRUSSELS)


def _with_figures() -> Digest:
    lead = Item(Article("h1", "https://a.example/hyperion", "Meta closes Hyperion financing",
                        published=NOW - timedelta(hours=2), source="Data Center Daily"),
                (Match("ai-infrastructure", 10.0, ()),), "Meta closed the financing.",
                Facts(power_mw=(5000.0,), investment=(Money(2.7e10, "USD"),),
                      companies=("Meta",), places=("Louisiana",), status="financed"))
    other = Item(Article("h2", "https://b.example/hyperion", "Meta, Blue Owl seal Hyperion deal",
                         published=NOW - timedelta(hours=1), source="Power Wire"),
                 (Match("ai-infrastructure", 9.0, ()),),
                 facts=Facts(power_mw=(2000.0,), companies=("Blue Owl",),
                             places=("Richland Parish",), status="announced"))
    story = Story("hyperion", lead, (other,))
    week = Tracker(NOW - timedelta(days=7), NOW, stories=3,
                   totals=(Totals("financed", 1, 1, 5000.0, (Money(2.7e10, "USD"),)),),
                   largest=(Project("Meta closes *Hyperion* financing", "https://a.example/h",
                                    story_facts(story), 2),))
    return Digest("ai-infra", NOW, NOW - timedelta(days=1), NOW,
                  (Section("Compute", (story,)),), tracker=week)


def test_every_format_shows_a_story_s_key_figures_merged_over_its_articles() -> None:
    line = "5 GW · $27bn · Louisiana, Richland Parish · financed"
    text = render_text(_with_figures(), tz=BRUSSELS)
    assert f"* Meta closes Hyperion financing\n  [{line}]\n  Meta closed the financing." in text
    markdown = render_markdown(_with_figures(), tz=BRUSSELS)
    assert f"financing](https://a.example/hyperion)**\n  *{line}*\n" in markdown
    (story,) = to_json(_with_figures())["sections"][0]["stories"]
    assert story["figures"] == line
    assert story["facts"]["power_mw"] == [5000.0, 2000.0]
    assert story["facts"]["companies"] == ["Meta", "Blue Owl"]


def test_every_format_ends_with_the_week_in_figures() -> None:
    text = render_text(_with_figures(), tz=BRUSSELS)
    assert text.endswith("THIS WEEK IN FIGURES · FRI 27 NOV – FRI 4 DEC\n\n"
                         "  financed: 1 project, 1 site · 5 GW · $27bn\n\n"
                         "  Largest:\n"
                         "  1. Meta closes *Hyperion* financing\n"
                         "     [5 GW · $27bn · Louisiana, Richland Parish · financed]\n"
                         "     https://a.example/h\n\n"
                         "  1 project from 3 stories; each project counted once, at its headline "
                         "figures, under its furthest stage.\n")
    markdown = render_markdown(_with_figures(), tz=BRUSSELS)
    assert "## This week in figures · Fri 27 Nov – Fri 4 Dec\n\n- financed: 1 project" in markdown
    assert "1. [Meta closes \\*Hyperion\\* financing](https://a.example/h): 5 GW" in markdown
    week = to_json(_with_figures())["tracker"]
    assert week["totals"] == [{"status": "financed", "projects": 1, "sites": 1,
                               "power_mw": 5000.0,
                               "money": [{"amount": 2.7e10, "currency": "USD"}], "gpus": 0}]
    assert week["largest"][0]["stories"] == 2 and week["stories"] == 3
    assert to_json(aggregator(1))["tracker"] is None


def updated(permalink: str = "") -> Digest:
    """A digest of one story that follows up an earlier one."""
    earlier = Followup(story="abc123", title="Halvard Cloud picks Ostrava for AI data centre",
                       url="https://cetech.example/halvard", news=("under construction",),
                       posted_at=datetime(2026, 2, 5, 9, 0, tzinfo=UTC), permalink=permalink,
                       channel_id="C0AIINFRA", ts="1770282000.000100")
    article = Article("u1", "https://cetech.example/ground", "Halvard Cloud breaks ground",
                      published=datetime(2026, 3, 20, 8, 0, tzinfo=UTC), source="CE Tech")
    story = Story("s1", Item(article, (Match("r", 6.0, ()),)), update=earlier)
    now = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    return Digest("ai-infra", now, None, now, (Section("", (story,)),))


def test_an_update_is_marked_and_links_the_earlier_story_in_every_format() -> None:
    plain = render_text(updated(), tz=UTC)
    assert "* Update: Halvard Cloud breaks ground\n  update of “Halvard Cloud picks Ostrava " \
           "for AI data centre” (Thu 5 Feb 2026) · new: under construction" in plain
    link = "https://slack.example/archives/C0AIINFRA/p1770282000000100"
    markdown = render_markdown(updated(link), tz=UTC)
    assert "- **Update: [Halvard Cloud breaks ground](https://cetech.example/ground)**" in markdown
    assert f"(Thu 5 Feb 2026; [earlier post]({link}))" in markdown
    (story,) = to_json(updated(link))["sections"][0]["stories"]
    assert story["update"] == {"story": "abc123", "title": updated().stories[0].update.title,  # type: ignore[union-attr]
                               "url": "https://cetech.example/halvard",
                               "posted_at": "2026-02-05T09:00:00Z",
                               "news": ["under construction"], "permalink": link}
    assert to_json(aggregator(1))["sections"][0]["stories"][0]["update"] is None
