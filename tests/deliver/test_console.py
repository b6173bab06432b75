"""A digest as text, Markdown and JSON: what was left out is said in each, dates as in Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.deliver.console import render_markdown, render_text, to_json
from monitor.deliver.slack import render_digest
from monitor.digest import build_digest
from monitor.model import Article, Digest, Item, Match

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
