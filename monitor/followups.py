"""Follow-ups: whether a new story repeats one a channel already received, brings news about
it (an update), or is another story.

Pure: posted stories and new stories come in, decisions go out. The edges (`posting.py`)
fetch the earlier post's permalink and post the update in its thread.

The rule. The posted article nearest to an item of the new story (`StoryIndex.nearest`)
names the posted story the item may be about. It is about that story when
- the two share a topic: an affinity of RELATED or more (names, terms and meaning);
- nothing marks another event of the same kind: no different headline amount, capacity or
  count ($14B and $21B are two deals), no different product code (H20 and H200);
- its headline names no company and no chip that the posted story never named (OpenAI's
  deal with CoreWeave is not news about OpenAI's pact with Microsoft).
It brings news when it reports what neither that story nor any posted story it repeats
stated: a later stage past "announced" (financed < under construction < operational;
cancelled after any), or a figure in its headline (a capacity, an amount, a GPU count, or
a share such as "15% of revenue", though not a market move such as "shares up 30%") that
is not within 1 % of a figure of the story, nor a rounding of one ("$17B" for $17.4B).
News about a posted story makes an update. Without news, the same story
(`Comparison.same`) posted recently is a repeat and goes nowhere; everything else is a
new story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from monitor.facts.extract import MAX_CHARS, extract_facts
from monitor.facts.merge import merge_facts
from monitor.facts.names import same_name
from monitor.facts.render import count, money, power
from monitor.facts.status import status
from monitor.facts.text import sentences
from monitor.model import FACT_STATUSES, Article, Facts, Followup, Story
from monitor.stories import WINDOW, Comparison
from monitor.story_index import Look, StoryIndex

ROUNDING = 0.03  # "$17B" reports $17.4B; "1 GW" does not report 1.2 GW
RELATED = 0.15  # affinity from which a posted story and a new article share a topic
# conflicts that name another event of the same kind; "dates" and "published" do not: news
# about a story comes later by nature
OTHER_EVENT = frozenset({"money", "power", "count", "codes"})
_SHARE = re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.I)
# a percentage right after these words is a market move, not a figure of the project
_MARKET = re.compile(r"\b(?:stocks?|shares?|soar\w*|surg\w*|jump\w*|ris\w*|rose|fall\w*|fell|"
                     r"drop\w*|climb\w*|gain\w*|slump\w*|plung\w*|tumbl\w*|rall\w*|sink\w*|"
                     r"sank|slid\w*|up|down|higher|lower|by)\W+(?:\w+\W+){0,2}$", re.I)
Verdict = Literal["new", "repeat", "update"]


@dataclass(frozen=True, slots=True)
class PostedStory:
    """A story a channel received: its articles (lead first), when, and its Slack message."""

    id: str
    articles: tuple[Article, ...]
    posted_at: datetime
    channel_id: str = ""
    ts: str = ""  # the message (part) that carried it; "" when unknown (console, webhook)


@dataclass(frozen=True, slots=True)
class Stated:
    """What a story states that news is measured against."""

    power_mw: tuple[float, ...] = ()
    money: tuple[tuple[str, float], ...] = ()  # (currency, amount)
    gpus: tuple[float, ...] = ()
    shares: tuple[float, ...] = ()  # percentages, market moves included
    status: int = -1  # index in FACT_STATUSES; -1 for none
    companies: tuple[str, ...] = ()
    chips: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    followup: Followup | None = None


class Followups:
    """Decides, for each new story, whether it is new, a repeat, or an update of a posted one.

    `posted` are the articles the channel received lately (a repeat of one goes nowhere);
    `earlier` the stories it received over a longer memory (news about one is an update).
    """

    def __init__(self, posted: Sequence[Article], earlier: Sequence[PostedStory], *,
                 window: timedelta = WINDOW, corpus: Iterable[Article] = (),
                 semantic: bool = True) -> None:
        self._story_of = {a.uid: s for s in earlier for a in s.articles}
        articles = {a.uid: a for a in posted}
        articles.update((a.uid, a) for s in earlier for a in s.articles)
        self._recent = frozenset(a.uid for a in posted)
        self.index = StoryIndex(articles.values(), window=window, corpus=corpus,
                                semantic=semantic)
        self._stated: dict[str, Stated] = {}

    def apply(self, stories: Sequence[Story]) -> list[Story]:
        """The stories to show: new ones, and updates marked with what they follow up."""
        looks = iter(self._look([i.article for s in stories for i in s.items]))
        kept = []
        for story in stories:
            decision = self._decide(story, [next(looks) for _ in story.items])
            if decision.verdict == "update":
                kept.append(replace(story, update=decision.followup))
            elif decision.verdict == "new":
                kept.append(story)
        return kept

    def decide(self, story: Story) -> Decision:
        """Whether one story is new, a repeat, or an update (with what it follows up)."""
        return self._decide(story, self._look([i.article for i in story.items]))

    def _look(self, articles: Sequence[Article]) -> list[Look]:
        return self.index.look(articles, among=self._recent, nearest_among=self._story_of,
                               floor=RELATED)

    def _decide(self, story: Story, looks: Sequence[Look]) -> Decision:
        articles = [item.article for item in story.items]
        target = self._target(articles, looks)
        if target is not None:
            repeated = [self._story_of[look.repeat.uid] for look in looks
                        if look.repeat and look.repeat.uid in self._story_of]
            known = _union([self._facts(s) for s in (target, *repeated)])
            news = news_of(articles, known)
            if news:
                return Decision("update", _followup(target, news))
        return Decision("repeat" if any(look.repeat for look in looks) else "new")

    def _target(self, articles: Sequence[Article], looks: Sequence[Look]) -> PostedStory | None:
        """The posted story that an item of the new story is about, the closest first."""
        best: tuple[tuple[float, float], PostedStory] | None = None
        for article, look in zip(articles, looks, strict=True):
            if look.nearest is None or look.nearest[0].uid not in self._story_of:
                continue
            posted, comparison = look.nearest
            story = self._story_of[posted.uid]
            key = (comparison.score, comparison.affinity)
            if (best is None or key > best[0]) and _close_enough(comparison) \
                    and _names_known(article, self._facts(story)):
                best = (key, story)
        return best[1] if best else None

    def _facts(self, story: PostedStory) -> Stated:
        if story.id not in self._stated:
            self._stated[story.id] = stated(story.articles)
        return self._stated[story.id]


def stated(articles: Iterable[Article]) -> Stated:
    """What these articles state, together: figures, shares, the furthest stage, names."""
    listed = list(articles)
    facts = merge_facts(extract_facts(a.title, a.summary or a.content) for a in listed)
    shares = tuple(v for a in listed for v in _shares(f"{a.title} {a.summary or a.content}",
                                                       market=True))
    return _of(facts, shares)


def _of(facts: Facts, shares: tuple[float, ...]) -> Stated:
    return Stated(facts.power_mw, tuple((m.currency, m.amount) for m in facts.investment),
                  tuple(float(g) for g in facts.gpus), shares,
                  FACT_STATUSES.index(facts.status) if facts.status else -1,
                  facts.companies, facts.chips)


def _union(many: Sequence[Stated]) -> Stated:
    return Stated(tuple(v for s in many for v in s.power_mw),
                  tuple(v for s in many for v in s.money), tuple(v for s in many for v in s.gpus),
                  tuple(v for s in many for v in s.shares), max(s.status for s in many),
                  tuple(v for s in many for v in s.companies),
                  tuple(v for s in many for v in s.chips))


def _close_enough(comparison: Comparison) -> bool:
    """Whether the nearest posted article shares a topic and tells no other event."""
    return comparison.affinity >= RELATED and not OTHER_EVENT & set(comparison.conflicts)


def _names_known(article: Article, story: Stated) -> bool:
    """Whether every company and chip the article's headline names, the posted story named."""
    headline = extract_facts(article.title, "")
    return all(any(same_name(name, known) for known in story.companies)
               for name in headline.companies) and \
        all(any(same_name(chip, known) for known in story.chips) for chip in headline.chips)


def news_of(articles: Sequence[Article], known: Stated) -> tuple[str, ...]:
    """What these articles report that `known` does not: a later stage, new headline figures."""
    news: list[str] = []
    furthest = max((_stage(a) for a in articles), default=-1)
    if furthest > max(known.status, 0):  # "announced" is where every story starts
        news.append(FACT_STATUSES[furthest])
    for article in articles:
        headline = extract_facts(article.title, "")
        found = [power(v) for v in headline.power_mw if not _among(v, known.power_mw)]
        found += [money(m) for m in headline.investment
                  if not _among(m.amount, [v for c, v in known.money if c == m.currency])]
        found += [count(g) for g in headline.gpus if not _among(g, known.gpus)]
        found += [f"{v:g}%" for v in _shares(article.title) if not _among(v, known.shares)]
        news += [figure for figure in found if figure not in news]
    return tuple(news)


def _stage(article: Article) -> int:
    """The furthest stage an article reports (the extractor's status, without the rest)."""
    text = (article.summary or article.content)[:MAX_CHARS]
    found = status(sentences(article.title, text))
    return FACT_STATUSES.index(found) if found else -1


def _among(value: float, values: Iterable[float]) -> bool:
    return any(agree(value, known) for known in values)


def agree(a: float, b: float) -> bool:
    """Within 1 %, or within ROUNDING when one is the other rounded to its significant digits
    ($17B for $17.4B, $600B for $593B): outlets round what they report."""
    gap = abs(a - b)
    top = max(abs(a), abs(b))
    if gap <= 0.01 * top:
        return True
    return gap <= ROUNDING * top and (_rounds_to(a, b) or _rounds_to(b, a))


def _rounds_to(exact: float, rounder: float) -> bool:
    """Whether `rounder` is `exact` rounded to as many significant digits as `rounder` has."""
    mantissa = f"{abs(rounder):.6e}".split("e")[0].replace(".", "").rstrip("0")
    return float(f"{exact:.{max(len(mantissa), 1)}g}") == rounder


def _shares(text: str, *, market: bool = False) -> list[float]:
    """Percentages a text states; without `market`, not those of a market move."""
    return [float(m.group(1)) for m in _SHARE.finditer(text)
            if market or not _MARKET.search(text, 0, m.start())]


def _followup(story: PostedStory, news: tuple[str, ...]) -> Followup:
    lead = story.articles[0]
    return Followup(story=story.id, title=lead.title, url=lead.url, posted_at=story.posted_at,
                    news=news, channel_id=story.channel_id, ts=story.ts)
