"""The plain, frozen values that stages exchange. No I/O, no library types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

FieldName = Literal["title", "summary", "content"]
FIELDS: tuple[FieldName, ...] = ("title", "summary", "content")

# A hit in the title says more about what an article is about than one in the body.
DEFAULT_FIELD_WEIGHTS: Mapping[str, float] = {"title": 2.0, "summary": 1.0, "content": 1.0}

FeedStatus = Literal["ok", "not_modified", "error"]


@dataclass(frozen=True, slots=True)
class Feed:
    """A configured feed: an http(s) URL or a local file path."""

    url: str
    name: str = ""
    interval: timedelta = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Article:
    """One feed item as plain text. `url` is canonical; `published` is UTC or None."""

    uid: str
    url: str
    title: str
    summary: str = ""
    content: str = ""
    published: datetime | None = None
    source: str = ""
    feed_url: str = ""

    def text(self, name: FieldName) -> str:
        if name == "title":
            return self.title
        if name == "summary":
            return self.summary
        return self.content


@dataclass(frozen=True, slots=True)
class Page:
    """What a page says: `text` is empty and `error` one sentence when there is no article."""

    url: str
    title: str
    text: str
    published: datetime | None  # UTC
    source: str                 # the site's name, else its host
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SignalGroup:
    """Terms that add `weight` (once, at the best field) when any of them hits."""

    terms: tuple[str, ...]
    weight: float
    near: tuple[str, ...] = ()
    within: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class Example:
    """A test case for a rule: an article's text and whether the rule should match it."""

    title: str
    summary: str = ""
    content: str = ""
    expect: bool = True
    line: int = 0
    path: str = ""


@dataclass(frozen=True, slots=True)
class Examples:
    match: tuple[Example, ...] = ()
    no_match: tuple[Example, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """A watch rule as written in a rule file (terms not yet compiled)."""

    id: str
    threshold: float
    signals: tuple[SignalGroup, ...]
    name: str = ""
    description: str = ""
    fields: Mapping[str, float] = field(default_factory=dict)  # overrides of the defaults
    require: tuple[tuple[str, ...], ...] = ()
    exclude: tuple[str, ...] = ()
    channel: str = ""
    seed: str = ""
    examples: Examples = Examples()
    path: str = ""

    def field_weights(self) -> dict[str, float]:
        return {**DEFAULT_FIELD_WEIGHTS, **self.fields}


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a term: where (`field`, `start`, `end`) and what text it matched.

    `group` is the index of the signal group, or -1 for a `require` term and -2 for
    an `exclude` term.
    """

    term: str
    field: FieldName
    text: str
    start: int = 0
    end: int = 0
    group: int = 0


@dataclass(frozen=True, slots=True)
class Match:
    """An article that reached a rule: the score and the signal hits that made it."""

    rule_id: str
    score: float
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Item:
    """An article with the rules it matched and its summary."""

    article: Article
    matches: tuple[Match, ...]
    summary: str = ""
    facts: Facts | None = None  # what the article states; None: not read

    @property
    def score(self) -> float:
        return max((m.score for m in self.matches), default=0.0)


@dataclass(frozen=True, slots=True)
class Followup:
    """The earlier story, already posted to the channel, that a story brings news about.

    `news` says what is new ("under construction", "$21 billion"); `channel_id` and `ts`
    name the Slack message that carried the earlier story (empty when unknown, as for a
    webhook), and `permalink` its link once Slack gave it.
    """

    story: str
    title: str
    url: str
    posted_at: datetime
    news: tuple[str, ...] = ()
    channel_id: str = ""
    ts: str = ""
    permalink: str = ""


@dataclass(frozen=True, slots=True)
class Story:
    """One news event: the lead item, and the same story from other sources.

    `update` is set when the story is news about a story the channel already received.
    """

    id: str
    lead: Item
    others: tuple[Item, ...] = ()
    update: Followup | None = None

    @property
    def items(self) -> tuple[Item, ...]:
        return (self.lead, *self.others)

    @property
    def sources(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for item in self.items:
            seen.setdefault(item.article.source or item.article.feed_url, None)
        return tuple(seen)


# How a digest is cut into sections: per rule, per signal group of a rule, or not at all.
SECTION_MODES = ("rule", "group", "none")


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    stories: tuple[Story, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """What one channel receives for one time window."""

    channel: str
    generated_at: datetime
    since: datetime | None
    until: datetime
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()
    # stories the limits left out: {"per_source": 4, "max_stories": 2}; a note says so too
    not_shown: Mapping[str, int] = field(default_factory=dict)
    tracker: Tracker | None = None  # the week's figures, on the channel's tracker day

    @property
    def stories(self) -> tuple[Story, ...]:
        return tuple(s for section in self.sections for s in section.stories)


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store remembers about a feed between polls."""

    url: str
    title: str = ""
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_status: str | None = None
    status_code: int | None = None
    error_count: int = 0
    last_error: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    failing_since: datetime | None = None
    next_poll: datetime | None = None
    dead: bool = False
    moved_to: str | None = None
    ttl_minutes: int | None = None
    item_uids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What happened to one feed in one poll. `error` is one sentence, or None."""

    url: str
    status: FeedStatus
    items: int = 0
    new: int = 0
    error: str | None = None
    elapsed_ms: int = 0
    name: str = ""
    final_url: str = ""
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class PollReport:
    """The outcome of one scan or poll cycle."""

    generated_at: datetime
    feeds: tuple[FeedReport, ...]
    items: tuple[Item, ...]
    stories: Mapping[str, str] = field(default_factory=dict)  # article uid -> story id
    notes: tuple[str, ...] = ()
    matched: int = 0  # articles whose matches the cycle stored (new or changed text)


FactStatus = Literal["announced", "financed", "under construction", "operational", "cancelled"]
# The stages of a project in order; a story's status is the furthest any article reports.
FACT_STATUSES: tuple[FactStatus, ...] = (
    "announced", "financed", "under construction", "operational", "cancelled"
)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money in an ISO 4217 currency ("USD", "EUR")."""

    amount: float
    currency: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What an article states about AI infrastructure (DESIGN.md, "Facts").

    Lists hold distinct values in order of first mention; `status` is None when the text
    reports no single project or no stage.
    """

    power_mw: tuple[float, ...] = ()
    investment: tuple[Money, ...] = ()
    gpus: tuple[int, ...] = ()
    chips: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    status: FactStatus | None = None

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md shape: plain lists, money as {"amount", "currency"}."""
        return {
            "power_mw": list(self.power_mw),
            "investment": [{"amount": m.amount, "currency": m.currency}
                           for m in self.investment],
            "gpus": list(self.gpus),
            "chips": list(self.chips),
            "companies": list(self.companies),
            "places": list(self.places),
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Facts:
        """The inverse of `to_json` (for a stored copy); unknown keys are ignored."""
        status = data.get("status")
        return cls(
            power_mw=tuple(float(v) for v in data.get("power_mw", ())),
            investment=tuple(Money(float(m["amount"]), str(m["currency"]))
                             for m in data.get("investment", ())),
            gpus=tuple(int(v) for v in data.get("gpus", ())),
            chips=tuple(str(v) for v in data.get("chips", ())),
            companies=tuple(str(v) for v in data.get("companies", ())),
            places=tuple(str(v) for v in data.get("places", ())),
            status=status if status in FACT_STATUSES else None,
        )

    def __bool__(self) -> bool:
        return any((self.power_mw, self.investment, self.gpus, self.chips, self.companies,
                    self.places, self.status))


@dataclass(frozen=True, slots=True)
class Totals:
    """One stage's projects added up, each project once at its headline figure of each kind.

    `sites` are the projects that state a capacity or a place; `money` is one sum per
    currency, largest first.
    """

    status: FactStatus | None
    projects: int
    sites: int
    power_mw: float = 0.0
    money: tuple[Money, ...] = ()
    gpus: int = 0


@dataclass(frozen=True, slots=True)
class Project:
    """One project of the week: its first story's title and link, every story's facts merged."""

    title: str
    url: str
    facts: Facts
    stories: int = 1


@dataclass(frozen=True, slots=True)
class Tracker:
    """A channel's week in figures: totals by stage and the largest projects."""

    since: datetime
    until: datetime
    stories: int  # stories in the week, with figures or not
    totals: tuple[Totals, ...]  # in FACT_STATUSES order, no stage last
    largest: tuple[Project, ...]
