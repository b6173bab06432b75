"""A digest as text, Markdown and JSON: what was left out is said in each, dates as in Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.deliver.console import render_markdown, render_text, to_json
from monitor.deliver.slack import render_digest
from monitor.digest import build_digest
from monitor.model import Article, Digest, Followup, Item, Match, Section, Story

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
