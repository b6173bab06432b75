"""Slack rendering: goldens, escaping, limits and shortening."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.deliver.mrkdwn import escape, safe_url, shorten
from monitor.deliver.slack import MessagePart, render_digest
from monitor.model import (
    Article,
    Digest,
    Facts,
    Hit,
    Item,
    Match,
    Money,
    Project,
    Section,
    Story,
    Totals,
    Tracker,
)
from tests.slack_server import block_errors, slack_len

GOLDEN = Path(__file__).parent.parent / "data" / "slack"
UNTIL = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SINCE = UNTIL - timedelta(days=1)
LINK = re.compile(r"<([^>]*)>")


def item(url: str, title: str, source: str, summary: str = "", terms: tuple[str, ...] = (),
         facts: Facts | None = None) -> Item:
    hits = tuple(Hit(term=t, field="title", text=t) for t in terms)
    published = UNTIL - timedelta(hours=len(title) % 20, minutes=len(url) % 60)
    article = Article(uid=url, url=url, title=title, published=published, source=source)
    return Item(article, (Match("ai-infrastructure", 9.0, hits),) if hits else (), summary,
                facts)


def digest(sections: tuple[Section, ...], notes: tuple[str, ...] = ()) -> Digest:
    return Digest("ai-infra", UNTIL, SINCE, UNTIL, sections, notes)


def small_digest() -> Digest:
    gigafactories = Story(
        "eu-sites",
        item(
            "https://news.example.com/2026/11/eu-ai-gigafactory-sites",
            "EU picks five sites for its AI gigafactories",
            "Example News",
            "The European Commission named five sites for AI gigafactories, each planned around "
            "100,000 advanced AI chips. Funding comes from InvestAI and national budgets. "
            "Construction of the first site is due to start in 2027.",
            ("AI gigafactories", "AI chips"),
            Facts(investment=(Money(2e11, "EUR"),), gpus=(100000,),
                  companies=("European Commission",), status="announced"),
        ),
        (
            item(
                "https://techdaily.example.org/eu-gigafactories",
                "Five AI gigafactories",
                "Tech Daily",
                facts=Facts(places=("Finland", "Spain"), status="announced"),
            ),
            item(
                "https://lemonde.example.fr/ia-gigausines",
                "L'UE choisit cinq sites",
                "Le Monde Exemple",
            ),
        ),
    )
    racks = Story(
        "gb300",
        item(
            "https://hpc.example.com/gb300-racks?ref=rss&utm_source=feed",
            "First GB300 racks arrive at national supercomputer",
            "HPC Example",
            "The first liquid-cooled racks were delivered to the national supercomputing centre.",
            ("supercomputer", "GPU"),
        ),
    )
    power = Story(
        "power",
        item(
            "https://energy.example.net/1-2-gw-data-centre-deal",
            "Utility signs 1.2 GW power deal for hyperscale data centre campus",
            "Energy Example",
            "A regional utility agreed to supply 1.2 GW to a hyperscale data centre campus.",
            ("hyperscale", "data centre"),
            Facts(power_mw=(1200.0,), status="announced"),
        ),
    )
    sections = (
        Section("AI gigafactories & compute", (gigafactories, racks)),
        Section("Power and data centres", (power,)),
    )
    notes = ("2 feeds failed: feeds.example.org (HTTP 404), blog.example.net (timed out)",)
    return digest(sections, notes)


def week() -> Tracker:
    """A week in figures with every stage, several currencies and a hostile title."""
    def project(title: str, url: str, **facts: object) -> Project:
        return Project(title, url, Facts(**facts))  # type: ignore[arg-type]

    largest = (
        project("EU launches €200 billion InvestAI fund for AI gigafactories",
                "https://news.example.com/investai", investment=(Money(2e11, "EUR"),),
                places=("EU",), status="announced"),
        project("Meta and Blue Owl close $27bn Hyperion financing",
                "https://news.example.com/hyperion", power_mw=(5000.0, 2000.0),
                investment=(Money(2.7e10, "USD"),), places=("Louisiana",),
                status="under construction"),
        project("<!channel> *xAI* switches on Colossus 2", "https://news.example.com/colossus",
                power_mw=(300.0,), gpus=(110000,), places=("Memphis <b>", "Tennessee"),
                status="operational"),
        project("India's ₹10,000 crore AI mission", "javascript:alert(1)",
                investment=(Money(1e11, "INR"),), status="financed"),
        project("Stargate site in Norway cancelled", "https://news.example.com/norway",
                power_mw=(230.0,), places=("Narvik", "Norway"), status="cancelled"),
    )
    totals = (
        Totals("announced", projects=3, sites=2, power_mw=1500.0,
               money=(Money(2e11, "EUR"), Money(1.2e10, "USD")), gpus=50000),
        Totals("financed", projects=1, sites=0, money=(Money(1e11, "INR"),)),
        Totals("under construction", projects=1, sites=1, power_mw=5000.0,
               money=(Money(2.7e10, "USD"),)),
        Totals("operational", projects=1, sites=1, power_mw=300.0, gpus=110000),
        Totals("cancelled", projects=1, sites=1, power_mw=230.0),
        Totals(None, projects=2, sites=0, gpus=18000),
    )
    return Tracker(UNTIL - timedelta(days=7), UNTIL, stories=14, totals=totals, largest=largest)


def tracker_digest() -> Digest:
    return dataclasses.replace(small_digest(), tracker=week())


def large_digest(count: int = 120) -> Digest:
    words = ["data", "centre", "GPU", "cluster", "power", "grid", "gigawatt", "cooling", "chip"]
    stories = []
    for i in range(count):
        summary = " ".join(
            f"Sentence {j} about the {words[(i + j) % len(words)]} build-out, with figures."
            for j in range(1 + (i * 7) % 40)
        )
        others = tuple(
            item(f"https://other{k}.example.org/{i}", f"Other {k}", f"Outlet {k}")
            for k in range(i % 4)
        )
        lead = item(
            f"https://news.example.com/story/{i}",
            f"Story {i}: {words[i % len(words)]} project reaches a milestone",
            f"Source {i % 9}",
            summary,
            (words[i % len(words)], words[(i + 3) % len(words)]),
        )
        stories.append(Story(f"s{i}", lead, others))
    sections = tuple(
        Section(title, tuple(stories[start::3]))
        for start, title in enumerate(("Compute", "Power", "Money"))
    )
    return digest(sections, tuple(f"feed {n} failed: HTTP 503" for n in range(12)))


def as_json(parts: list[MessagePart]) -> list[dict[str, Any]]:
    return [
        {
            "index": p.index,
            "total": p.total,
            "thread": p.thread,
            "text": p.text,
            "blocks": list(p.blocks),
        }
        for p in parts
    ]


def mrkdwn_texts(parts: list[MessagePart]) -> list[str]:
    texts = []
    for part in parts:
        for block in part.blocks:
            objects = [block["text"]] if "text" in block else block.get("elements", [])
            texts += [o["text"] for o in objects if o["type"] == "mrkdwn"]
        texts.append(part.text)
    return texts


@pytest.mark.parametrize(
    ("name", "make", "mode"),
    [
        ("small-bot", small_digest, "bot"),
        ("large-bot", large_digest, "bot"),
        ("large-webhook", large_digest, "webhook"),
        ("tracker-bot", tracker_digest, "bot"),
    ],
)
def test_golden(name: str, make: Any, mode: Any) -> None:
    """Set UPDATE_GOLDENS=1 to rewrite a golden after a deliberate change, then review the diff."""
    rendered = as_json(render_digest(make(), mode=mode))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDENS"):
        path.write_text(json.dumps(rendered, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert rendered == json.loads(path.read_text(encoding="utf-8"))


def test_single_part_is_the_same_in_both_modes() -> None:
    assert render_digest(small_digest(), mode="webhook") == render_digest(
        small_digest(), mode="bot"
    )


def test_small_digest_layout() -> None:
    (part,) = render_digest(small_digest(), mode="bot")
    assert part.blocks[0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "AI infrastructure digest · Thu 26 Nov 2026",
            "emoji": True,
        },
    }
    assert part.blocks[1]["elements"][0]["text"] == "3 stories · 5 sources"
    assert part.blocks[1]["elements"][1]["text"] == "Wed 25 Nov 09:00 – Thu 26 Nov 09:00 UTC"
    texts = mrkdwn_texts([part])
    assert "*AI gigafactories &amp; compute*" in texts
    assert any(
        t.startswith("also: <https://techdaily.example.org/eu-gigafactories|Tech Daily>, ")
        for t in texts
    )
    assert "matched: AI gigafactories, AI chips" in texts
    assert "<https://hpc.example.com/gb300-racks?ref=rss&amp;utm_source=feed|" in "".join(texts)
    assert part.blocks[-1]["elements"][0]["text"].startswith("2 feeds failed")
    assert part.text.startswith("AI infrastructure digest · Thu 26 Nov 2026: 3 stories")


def test_large_digest_splits_whole_stories_and_threads() -> None:
    parts = render_digest(large_digest(), mode="bot")
    assert len(parts) > 3
    assert [p.index for p in parts] == list(range(1, len(parts) + 1))
    assert {p.total for p in parts} == {len(parts)}
    assert [p.thread for p in parts] == [False] + [True] * (len(parts) - 1)
    joined = "\n".join(mrkdwn_texts(parts))
    for i in range(120):
        assert joined.count(f"<https://news.example.com/story/{i}|") == 1
    # a section split over messages is announced again in the next one
    assert "(continued)" in joined


def test_webhook_parts_are_numbered_not_threaded() -> None:
    parts = render_digest(large_digest(), mode="webhook")
    total = len(parts)
    assert not any(p.thread for p in parts)
    assert parts[0].blocks[1]["elements"][-1]["text"] == f"(1/{total})"
    for part in parts[1:]:
        assert part.blocks[0]["elements"][0]["text"].endswith(f"({part.index}/{total})")
        assert f"({part.index}/{total})" in part.text


def test_empty_digest_is_one_line() -> None:
    (part,) = render_digest(digest(()), mode="bot", title="Compute watch")
    assert len(part.blocks) == 1
    assert part.blocks[0]["text"]["text"] == (
        "*Compute watch · Thu 26 Nov 2026*: nothing new (Wed 25 Nov 09:00 – Thu 26 Nov 09:00 UTC)"
    )
    assert "nothing new" in part.text


def test_time_zone_and_open_window() -> None:
    open_window = Digest("c", UNTIL, None, UNTIL, small_digest().sections)
    (part,) = render_digest(open_window, mode="bot", tz=ZoneInfo("Europe/Brussels"))
    assert part.blocks[1]["elements"][1]["text"] == "until Thu 26 Nov 10:00 CET"


HOSTILE_TITLES = [
    "<!channel> urgent",
    "<!here|here> and <!everyone>",
    "ping <@U123> and <#C123|general>",
    "<http://evil.example|click me>",
    "AT&amp;T buys &lt;GPUs&gt;",
    "*bold* _it_ ~gone~ `code` a|b",
    "@channel @here look",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_stay_text(title: str) -> None:
    story = Story(
        "h", item("https://safe.example.com/a", title, f"src {title}", f"sum {title}", (title,))
    )
    parts = render_digest(digest((Section(title, (story,)),), (title,)), mode="webhook")
    for text in mrkdwn_texts(parts):
        for target in LINK.findall(text):
            # the only markup left is our own link to the story
            assert target.startswith("https://safe.example.com/a|"), text
            assert "|" not in target.split("|", 1)[1]
        assert re.search(r"@(channel|here|everyone)\b", text, re.IGNORECASE) is None


def test_escaped_entities_are_escaped_again() -> None:
    story = Story("e", item("https://safe.example.com/e", "AT&amp;T buys &lt;GPUs&gt;", "S"))
    (part,) = render_digest(digest((Section("", (story,)),)), mode="bot")
    assert "|AT&amp;amp;T buys &amp;lt;GPUs&amp;gt;>" in part.blocks[2]["text"]["text"]


def test_formatting_characters_cannot_break_the_bold_link() -> None:
    story = Story("f", item("https://safe.example.com/f", "*bold* _it_ ~gone~ `code`", "S"))
    (part,) = render_digest(digest((Section("", (story,)),)), mode="bot")
    title = part.blocks[2]["text"]["text"]
    assert title.startswith("*<https://safe.example.com/f|") and title.endswith(">*")
    assert not set("*_~`") & set(title[2:-2])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example.com/a?b=1&c=2", "https://x.example.com/a?b=1&amp;c=2"),
        ("https://x.example.com/a|<!channel>", "https://x.example.com/a%7C%3C!channel%3E"),
        ("https://x.example.com/a b\tc", "https://x.example.com/a%20b%09c"),
        ('http://x.example.com/"q"', "http://x.example.com/%22q%22"),
        ("javascript:alert(1)", None),
        ("ftp://x.example.com/file", None),
        ("/relative/path", None),
        ("https://", None),
        ("http://[broken", None),
        ("https://x.example.com/\ud800", None),
        ("https://x.example.com/" + "a" * 3000, None),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_hostile_url_is_not_linked() -> None:
    story = Story("u", item("javascript:alert(1)", "Click", "S"))
    (part,) = render_digest(digest((Section("", (story,)),)), mode="bot")
    assert part.blocks[2]["text"]["text"] == "*Click*"


def test_escape() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape("&amp;") == "&amp;amp;"
    assert escape("@channel") == "@\u2060channel"
    assert escape("mail@channels.example") == "mail@channels.example"


def test_shorten_prefers_sentence_then_word_boundaries() -> None:
    text = "First sentence here. Second one is longer than the limit allows for sure."
    assert shorten(text, 40) == "First sentence here. …"
    assert shorten("alpha beta gamma delta", 14) == "alpha beta…"
    assert shorten("abcdefghij", 5) == "abcd…"
    assert shorten("short", 10) == "short"


def test_long_summary_is_cut_at_a_sentence() -> None:
    summary = " ".join(
        f"Sentence number {n} says something about GPUs & power." for n in range(200)
    )
    story = Story("l", item("https://x.example.com/l", "Long", "S", summary))
    (part,) = render_digest(digest((Section("", (story,)),)), mode="bot")
    text = part.blocks[2]["text"]["text"]
    assert slack_len(text) <= 3000
    assert text.endswith("power. …")
    assert block_errors(list(part.blocks)) is None


def test_long_title_and_header_are_shortened() -> None:
    story = Story("t", item("https://x.example.com/t", "Giga " * 400, "S" * 900, "x"))
    parts = render_digest(digest((Section("Sec " * 100, (story,)),)), mode="bot", title="T" * 400)
    assert slack_len(parts[0].blocks[0]["text"]["text"]) <= 150
    assert all(block_errors(list(p.blocks)) is None for p in parts)


# --- properties -----------------------------------------------------------------------------

any_text = st.one_of(
    st.text(max_size=60),
    st.builds(lambda chunk, n: chunk * n, st.text(min_size=1, max_size=12), st.integers(0, 350)),
)
zones = st.sampled_from([UTC, ZoneInfo("Europe/Brussels"), ZoneInfo("Asia/Kolkata")])
moments = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    # up to 200 stories drawn from a small pool of texts: drawing 200 of everything is slow
    pool = draw(st.lists(any_text, min_size=1, max_size=12))
    times = draw(st.lists(moments, min_size=1, max_size=3))

    def pick() -> str:
        return pool[draw(st.integers(0, len(pool) - 1))]

    def story(number: int) -> Story:
        terms = tuple(pick() for _ in range(draw(st.integers(0, 4))))
        hits = tuple(Hit(term=t, field="title", text=t) for t in terms)
        url = f"https://news.example.com/story/{number}"
        published = times[number % len(times)]
        article = Article(str(number), url, pick(), pick(), published=published, source=pick())
        others = tuple(
            Item(Article(f"{number}-{k}", pick(), "", source=pick()), ())
            for k in range(draw(st.integers(0, 3)))
        )
        return Story(str(number), Item(article, (Match("r", 1.0, hits),), pick()), others)

    count = draw(st.integers(0, 200))
    all_stories = [story(n) for n in range(count)]
    cuts = sorted(draw(st.lists(st.integers(0, count), max_size=3)))
    bounds = [0, *cuts, count]
    sections = tuple(
        Section(pick(), tuple(all_stories[a:b])) for a, b in itertools.pairwise(bounds)
    )
    notes = tuple(pick() for _ in range(draw(st.integers(0, 30))))
    since = draw(st.one_of(st.none(), st.just(SINCE)))
    return Digest("c", UNTIL, since, UNTIL, sections, notes)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(digests(), st.sampled_from(["bot", "webhook"]), any_text, zones)
def test_any_digest_renders_within_limits_and_keeps_every_story(
    d: Digest, mode: Any, title: str, tz: tzinfo
) -> None:
    parts = render_digest(d, mode=mode, title=title, tz=tz)
    assert [p.index for p in parts] == list(range(1, len(parts) + 1))
    for part in parts:
        assert block_errors(list(part.blocks)) is None
        assert part.blocks and part.text and slack_len(part.text) <= 4000
        assert part.thread == (mode == "bot" and part.index > 1)
    texts = mrkdwn_texts(parts)
    joined = "\n".join(texts)
    for story in d.stories:
        assert joined.count(f"<{story.lead.article.url}|") == 1
    for text in texts:
        for target in LINK.findall(text):
            assert re.match(r"https?://[^|]+\|.", target), target
        assert "**" not in text  # no empty bold title or heading


# --- key figures and the week in figures -----------------------------------------------------


def test_key_figures_are_escaped_and_stay_in_italics() -> None:
    facts = Facts(power_mw=(1000.0,), places=("<!channel> *Texas*_", "a|b"), status="announced")
    story = Story("k", item("https://safe.example.com/k", "Title", "S", "Sum.", ("GPU",), facts))
    (part,) = render_digest(digest((Section("", (story,)),)), mode="bot")
    _, figures, summary = part.blocks[2]["text"]["text"].split("\n")
    assert figures == "_1 GW · &lt;!channel&gt; ∗Texas∗ˍ, a|b · announced_"
    assert summary == "Sum."


def test_a_story_without_facts_or_with_a_stage_alone_has_no_figures_line() -> None:
    bare = Story("b", item("https://safe.example.com/b", "Bare", "S", "Sum."))
    staged = Story("s", item("https://safe.example.com/s", "Staged", "S", "Sum.",
                             facts=Facts(companies=("Nvidia",), status="announced")))
    (part,) = render_digest(digest((Section("", (bare, staged)),)), mode="bot")
    texts = [b["text"]["text"] for b in part.blocks if b["type"] == "section"]
    assert texts == ["*<https://safe.example.com/b|Bare>*\nSum.",
                     "*<https://safe.example.com/s|Staged>*\nSum."]


def test_the_week_in_figures_ends_the_digest() -> None:
    (part,) = render_digest(tracker_digest(), mode="bot")
    assert block_errors(list(part.blocks)) is None
    blocks = part.blocks
    heading = next(i for i, b in enumerate(blocks)
                   if b.get("text", {}).get("text", "").startswith("*This week in figures"))
    assert blocks[heading - 1] == {"type": "divider"}
    assert blocks[-1]["type"] == "context" and "9 projects from 14 stories" in \
        blocks[-1]["elements"][0]["text"]
    largest = blocks[-2]["text"]["text"]
    assert "&lt;!channel&gt; ∗xAI∗ switches on Colossus 2>" in largest
    assert "4. India's ₹10,000 crore AI mission: ₹100bn · financed" in largest  # not a link
    assert "javascript" not in json.dumps(blocks)
    assert part.text.endswith("• This week in figures · Thu 19 Nov – Thu 26 Nov: announced: "
                              "3 projects, 2 sites · 1.5 GW · €200bn · $12bn · 50,000 GPUs")


def test_a_week_in_figures_with_no_new_story_follows_the_one_line_opening() -> None:
    quiet = Digest("c", UNTIL, SINCE, UNTIL, (), tracker=week())
    (part,) = render_digest(quiet, mode="bot")
    assert part.blocks[0]["text"]["text"].startswith("*AI infrastructure digest · Thu 26 Nov "
                                                     "2026*: nothing new")
    assert part.blocks[1] == {"type": "divider"}
    assert "*Largest*" in part.blocks[-2]["text"]["text"]


def test_a_long_digest_keeps_the_week_in_figures_whole_in_its_last_part() -> None:
    parts = render_digest(dataclasses.replace(large_digest(), tracker=week()), mode="webhook")
    assert len(parts) > 3
    last = parts[-1]
    assert block_errors(list(last.blocks)) is None
    assert "*Largest*" in json.dumps(last.blocks, ensure_ascii=False)
    assert "*Largest*" not in json.dumps([p.blocks for p in parts[:-1]], ensure_ascii=False)


money_amounts = st.builds(Money, st.floats(0, 1e15, allow_nan=False), any_text)


@st.composite
def trackers(draw: st.DrawFn) -> Tracker:
    facts = st.builds(
        Facts,
        power_mw=st.lists(st.floats(0, 1e7, allow_nan=False), max_size=3).map(tuple),
        investment=st.lists(money_amounts, max_size=3).map(tuple),
        gpus=st.lists(st.integers(0, 10**9), max_size=2).map(tuple),
        places=st.lists(any_text, max_size=4).map(tuple),
        status=st.sampled_from([None, "announced", "financed", "under construction",
                                "operational", "cancelled"]),
    )
    totals = st.builds(Totals, st.sampled_from([None, "announced", "cancelled"]),
                       st.integers(0, 10**6), st.integers(0, 10**6),
                       st.floats(0, 1e9, allow_nan=False), st.lists(money_amounts, max_size=40)
                       .map(tuple), st.integers(0, 10**12))
    largest = st.lists(st.builds(Project, any_text, any_text | st.just("https://x.example/a"),
                                 facts), max_size=5)
    return Tracker(SINCE, UNTIL, draw(st.integers(0, 10**6)),
                   tuple(draw(st.lists(totals, max_size=6))), tuple(draw(largest)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trackers(), st.sampled_from(["bot", "webhook"]), st.booleans())
def test_any_week_in_figures_renders_within_limits(tracker: Tracker, mode: Any,
                                                   with_stories: bool) -> None:
    base = small_digest() if with_stories else digest(())
    parts = render_digest(dataclasses.replace(base, tracker=tracker), mode=mode)
    for part in parts:
        assert block_errors(list(part.blocks)) is None
        assert slack_len(part.text) <= 4000
    assert "This week in figures" in json.dumps(parts[-1].blocks, ensure_ascii=False)
    for text in mrkdwn_texts(parts):
        assert re.search(r"<!(channel|here|everyone)", text) is None
