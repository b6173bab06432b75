"""Feeds for the poll benchmark: generated news feeds of realistic size, or copies of real ones.

Generated feeds are RSS 2.0 (every fifth one Atom) with 25 to 60 items and 20 to 200 KB of
HTML content, written from sentence templates about AI infrastructure and about the fields
that share its vocabulary (battery plants, gaming cards, AI apps, energy, markets), so some
items match the shipped rule and many come close. Real feeds are used as they are; when more
feeds are asked for than there are files, each further copy gets its ids and links rewritten
so its items are new articles, not repeats of the first copy's.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from html import escape
from pathlib import Path

PLACES = ["Dublin", "Frankfurt", "Texas", "Arizona", "Quebec", "Johor", "Milan", "Lapland",
          "Virginia", "Aragon", "Osaka", "Ohio", "Wales", "Bavaria", "Sweden", "Oregon"]
FIRMS = ["Nvidia", "AMD", "Microsoft", "Oracle", "Meta", "Amazon", "Google", "OpenAI",
         "CoreWeave", "Equinix", "Tesla", "Intel", "Samsung", "Siemens", "BP", "Sony"]
# News names a few companies and places all the time and thousands now and then; made-up
# names ("Norvik Compute", "Talberg") stand for the long tail.
SYLLABLES = ["nor", "vik", "tal", "berg", "sen", "mar", "lo", "ka", "dri", "ven", "ost", "ha",
             "quin", "rel", "sto", "mun", "tra", "gel", "fin", "dar", "bel", "cor", "ith", "um"]
FIRM_KINDS = ["Compute", "Energy", "Systems", "Holdings", "Networks", "Semiconductor", "Cloud",
              "Power", "Labs", "Capital", "Data", "Grid"]
FAMOUS = 0.35  # the share of mentions that go to the few well-known names
TOPICS: dict[str, list[str]] = {
    "infra": [
        "{firm} plans a {n} MW data centre campus near {place} to train very large models.",
        "The AI gigafactory would house about {n},000 GPUs in a single cluster.",
        "{firm} said its capital expenditure on AI infrastructure would rise to ${n} billion.",
        "Grid operators in {place} warn that data center power demand could double by 2030.",
        "The hyperscale site will use liquid cooling and a dedicated substation.",
        "Orders for H100 and GB200 accelerators are booked through next year, {firm} said.",
        "The supercomputer in {place} will offer AI compute capacity to start-ups and labs.",
        "{firm} signed a power purchase agreement for a nuclear plant to supply its data centers.",
        "A neocloud raised ${n} billion in debt to buy Nvidia GPUs for AI training clusters.",
        "EuroHPC selected {place} to host one of the AI factories announced this year.",
    ],
    "battery": [
        "{firm} opens a battery gigafactory near {place} with {n} GWh of annual capacity.",
        "The plant will make lithium cells for electric vehicles from next spring.",
        "Carmakers are racing to secure cathode materials as EV sales grow.",
        "The gigafactory will employ {n}00 people and supply batteries to two automakers.",
    ],
    "gaming": [
        "Graphics card review: the new midrange GPU is great for 1440p gaming.",
        "{firm} cut the price of its GeForce cards ahead of the holiday season.",
        "The console sold {n} million units in its first month, {firm} said.",
        "Ray tracing and DLSS lift frame rates by a third in our tests.",
    ],
    "apps": [
        "{firm} added a voice mode to its chatbot app for iPhone and Android users.",
        "The AI PC runs a small model on-device with its NPU.",
        "Users complained about hallucinations in the assistant's answers.",
        "The update brings new AI features to the smartphone camera.",
    ],
    "energy": [
        "Electricity prices in {place} rose {n} percent after a cold snap.",
        "The wind farm will supply {n},000 homes once the grid connection is finished.",
        "Regulators approved a new gas-fired power plant near {place}.",
        "Solar output hit a record as the heatwave continued across {place}.",
    ],
    "markets": [
        "Stocks closed higher as the Nasdaq Composite gained {n} points.",
        "{firm} shares fell after quarterly revenue missed forecasts.",
        "Treasury yields eased as investors weighed the central bank's next move.",
        "The company raised ${n} billion at a valuation that doubled in a year.",
    ],
    "general": [
        "Officials in {place} said the plan would be published next week.",
        "The council voted {n} to 3 to approve the scheme after a long debate.",
        "Local residents raised concerns about traffic and noise during construction.",
        "Analysts said the announcement had been expected for several months.",
        "The minister visited {place} on Tuesday and met workers at the site.",
        "Critics argued that the timetable was too ambitious for a project of this size.",
        "A spokesperson declined to comment on the details of the agreement.",
        "The report found that demand had grown faster than forecasts suggested.",
    ],
}
# How often an item is mainly about each topic: a few in the field, many look-alikes.
TOPIC_WEIGHTS = {"infra": 8, "battery": 6, "gaming": 6, "apps": 8, "energy": 10,
                 "markets": 12, "general": 50}


def _made_up(rng: random.Random) -> str:
    return (rng.choice(SYLLABLES) + rng.choice(SYLLABLES)).capitalize()


def _firm(rng: random.Random) -> str:
    if rng.random() < FAMOUS:
        return rng.choice(FIRMS)
    return f"{_made_up(rng)} {rng.choice(FIRM_KINDS)}"


def _place(rng: random.Random) -> str:
    return rng.choice(PLACES) if rng.random() < FAMOUS else _made_up(rng)


def _sentence(rng: random.Random, topic: str) -> str:
    return rng.choice(TOPICS[topic]).format(firm=_firm(rng), place=_place(rng),
                                            n=rng.randint(2, 99))


def _article_html(rng: random.Random, topic: str, size: int) -> str:
    """HTML paragraphs of about `size` characters, mostly about `topic`."""
    parts: list[str] = []
    length = 0
    while length < size:
        sentences = [_sentence(rng, topic if rng.random() < 0.3 else "general")
                     for _ in range(rng.randint(2, 5))]
        paragraph = " ".join(escape(s) for s in sentences)
        if rng.random() < 0.3:
            paragraph = f'{paragraph} <a href="https://example.com/{rng.randint(1, 10**6)}">More' \
                        f'</a> on <em>{escape(_place(rng))}</em>.'
        if rng.random() < 0.15:
            paragraph = f'<img src="/img/{rng.randint(1, 10**6)}.jpg" alt="" width="640"/>' \
                        f'<figure><figcaption>{escape(_sentence(rng, "general"))}</figcaption>' \
                        f'</figure><p>{paragraph}</p>'
        else:
            paragraph = f"<p>{paragraph}</p>"
        parts.append(paragraph)
        length += len(paragraph)
    return "\n".join(parts)


def _item(rng: random.Random, feed: int, number: int, size: int, atom: bool) -> str:
    topic = rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()))[0]
    title = escape(_sentence(rng, topic).rstrip("."))
    link = f"https://news{feed}.example.com/{number}/story-{rng.randint(1, 10**9)}"
    summary = escape(_sentence(rng, topic))
    body = _article_html(rng, topic, size)
    day = 1 + number % 28
    if atom:
        return (f"<entry><title>{title}</title><link href=\"{link}\"/><id>{link}</id>"
                f"<updated>2026-11-{day:02d}T{number % 24:02d}:00:00Z</updated>"
                f"<summary>{summary}</summary><content type=\"html\">{escape(body)}</content>"
                "</entry>")
    return (f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{_rfc822(day, number % 24)}</pubDate>"
            f"<description>{escape(summary)}</description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")


def _rfc822(day: int, hour: int) -> str:
    weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][day % 7]
    return f"{weekday}, {day:02d} Nov 2026 {hour:02d}:00:00 +0000"


def generated_feed(index: int, seed: int = 7) -> bytes:
    """Feed number `index`: 25-60 items, 20-200 KB, the same bytes for the same arguments."""
    rng = random.Random(seed * 1_000_003 + index)
    count = rng.randint(25, 60)
    target = rng.randint(20_000, 200_000)
    atom = index % 5 == 4
    per_item = max(target // count - 600, 200)
    items = "\n".join(_item(rng, index, n, rng.randint(per_item // 2, per_item * 3 // 2), atom)
                      for n in range(count))
    title = f"Generated news {index}"
    if atom:
        head = ('<?xml version="1.0" encoding="utf-8"?>\n'
                f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
                f'<id>urn:bench:feed:{index}</id><updated>2026-11-26T09:00:00Z</updated>')
        return f"{head}\n{items}\n</feed>\n".encode()
    head = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{title}</title><link>https://news{index}.example.com/</link>"
            "<description>Generated for the poll benchmark</description>")
    return f"{head}\n{items}\n</channel></rss>\n".encode()


def real_feeds(directory: Path) -> list[bytes]:
    """The bodies of the feed files in `directory`, in name order."""
    return [p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()]


def build_feeds(count: int, seed: int = 7, directory: Path | None = None) -> list[bytes]:
    """`count` feed bodies: copies of the real feeds in `directory`, or generated ones."""
    if directory is None:
        return [generated_feed(i, seed) for i in range(count)]
    files = real_feeds(directory)
    return [distinct_copy(files[i % len(files)], i // len(files)) for i in range(count)]


# --- editing real feed bytes -------------------------------------------------------------

_PREFIX = r"(?:[\w.-]+:)?"
_ID_TEXT = re.compile(
    rf"(<{_PREFIX}(?:guid|id)\b[^>]*>\s*(?:<!\[CDATA\[\s*)?)(https?://)?(?=[^<\s])")
_LINK_TEXT = re.compile(rf"(<{_PREFIX}link\b[^>]*>\s*(?:<!\[CDATA\[\s*)?https?://)")
_LINK_ATTR = re.compile(rf"(<{_PREFIX}link\b[^>]*?\bhref\s*=\s*[\"']\s*https?://)")
_ABOUT = re.compile(r"(\brdf:about\s*=\s*[\"']\s*)(https?://)?(?=[^\"'\s])")
_FIRST_ITEM = re.compile(rf"<{_PREFIX}(item|entry)[\s>]")
# A byte-order mark, or the "<" of the XML declaration, tells UTF-16 and its byte order.
_UTF16 = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16", b"<\0": "utf-16-le", b"\0<": "utf-16-be"}


def _edit(body: bytes, change: Callable[[str], str]) -> bytes:
    """Apply a text edit to feed bytes, keeping their encoding (ASCII-compatible or UTF-16)."""
    encoding = _UTF16.get(body[:2], "latin-1")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "latin-1", body.decode("latin-1")
    # Latin-1 maps every byte to one character and back, so any ASCII-compatible
    # encoding survives an edit that only touches ASCII markup.
    return change(text).encode(encoding)


def distinct_copy(body: bytes, copy: int) -> bytes:
    """Copy number `copy` of a feed, with every item's id and link made its own."""
    if copy == 0:
        return body
    host = f"c{copy}."

    def change(text: str) -> str:
        # A URL id keeps its form with the copy's own host; any other id gets a prefix.
        for pattern in (_ID_TEXT, _ABOUT):
            text = pattern.sub(lambda m: f"{m[1]}{m[2]}{host}" if m[2] else f"{m[1]}c{copy}-",
                               text)
        for pattern in (_LINK_TEXT, _LINK_ATTR):
            text = pattern.sub(rf"\g<1>{host}", text)
        return text

    return _edit(body, change)


def with_new_item(body: bytes, feed: int, serial: int, seed: int = 7) -> bytes:
    """The feed with one new item before its first one (at the end of the channel if empty)."""
    rng = random.Random(seed * 7919 + feed * 131 + serial)

    def change(text: str) -> str:
        first = _FIRST_ITEM.search(text)
        atom = first[1] == "entry" if first else "<feed" in text[:2000]
        item = _item(rng, feed, 10_000 + serial, rng.randint(1_000, 4_000), atom)
        item = item.replace(f"news{feed}.example.com", f"new{serial}.news{feed}.example.com")
        if first is not None:
            return f"{text[:first.start()]}{item}\n{text[first.start():]}"
        close = text.rfind("</channel>") if not atom else text.rfind("</feed>")
        return f"{text[:close]}{item}\n{text[close:]}" if close >= 0 else text

    return _edit(body, change)
