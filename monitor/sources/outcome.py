"""One feed in one cycle: what came back, parsing it, its next state and its report line.

The pipeline drives these per batch; each function here looks at one feed at a time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime

from monitor.errors import ParseError
from monitor.model import Article, Feed, FeedReport, FeedState
from monitor.sources.fetch import Fetched
from monitor.sources.policy import next_poll
from monitor.sources.pool import ParseJob, ParsePool, parse_job
from monitor.sources.state import after_failure, after_success

_LOG = logging.getLogger(__name__)


@dataclass(slots=True)
class FeedOutcome:
    """What happened to one feed in this cycle, filled in stage by stage."""

    index: int  # in the cycle's feed list: reports keep that order
    feed: Feed
    fetched: Fetched
    state: FeedState
    articles: list[Article] = field(default_factory=list)
    parsed: bool = False
    error: str | None = None
    warning: str | None = None
    title: str = ""
    ttl_minutes: int | None = None
    new: int = 0
    hash: str | None = None  # of the body, when one came


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def needs_parse(outcome: FeedOutcome) -> bool:
    fetched = outcome.fetched
    if fetched.status == "error":
        outcome.error = fetched.error
        return False
    if fetched.status == "not_modified":
        return False
    outcome.hash = body_hash(fetched.body)
    # The same bytes as last time: nothing to parse.
    return outcome.state.body_hash != outcome.hash or not outcome.state.item_uids


async def parse_all(outcomes: list[FeedOutcome], parser: ParsePool | None) -> None:
    todo = [o for o in outcomes if needs_parse(o)]
    jobs = [ParseJob(o.fetched.body, o.feed.url, o.fetched.headers, o.feed.name) for o in todo]
    if parser is not None:
        results = await parser.parse_many_async(jobs)
    else:
        results = [parse_job(job) for job in jobs]
    for outcome, result in zip(todo, results, strict=True):
        if isinstance(result, ParseError):
            outcome.error = str(result)
            continue
        outcome.parsed = True
        outcome.articles = list(result.articles)
        outcome.warning = result.warning
        outcome.title = result.title
        outcome.ttl_minutes = result.ttl_minutes




def next_state(outcome: FeedOutcome, now: datetime, rng: random.Random) -> FeedState:
    """The feed's state after this cycle. Never raises: if the answer's headers or the
    parsed feed trip a bug, the feed is recorded as failed with one sentence, and backs off."""
    try:
        return _next_state(outcome, now, rng)
    except Exception as exc:
        _LOG.warning("%s: the next state failed: %s: %s", outcome.feed.url,
                     type(exc).__name__, exc)
        outcome.error = (f"the answer could not be used ({type(exc).__name__}); "
                         "it will be tried again later")
        outcome.fetched = Fetched(outcome.fetched.url, "error", outcome.fetched.final_url,
                                  error=outcome.error, elapsed_ms=outcome.fetched.elapsed_ms)
        return _next_state(outcome, now, rng)


def _next_state(outcome: FeedOutcome, now: datetime, rng: random.Random) -> FeedState:
    fetched = outcome.fetched
    if outcome.error is not None:
        state = after_failure(outcome.state, fetched, now, outcome.error)
    else:
        uids = tuple(a.uid for a in outcome.articles) if outcome.parsed \
            else outcome.state.item_uids
        digest = outcome.hash if fetched.status == "ok" else None
        state = after_success(outcome.state, fetched, now, title=outcome.title,
                              body_hash=digest, item_uids=uids)
        if outcome.parsed:
            state = dataclasses.replace(state, ttl_minutes=outcome.ttl_minutes)
    status = "error" if outcome.error is not None else fetched.status
    when = next_poll(state, interval=outcome.feed.interval, now=now, status=status,
                     ttl_minutes=state.ttl_minutes, headers=fetched.headers, rng=rng)
    return dataclasses.replace(state, next_poll=when)


def report_line(outcome: FeedOutcome) -> FeedReport:
    fetched = outcome.fetched
    items = len(outcome.articles) if outcome.parsed else len(outcome.state.item_uids)
    return FeedReport(
        url=outcome.feed.url,
        status="error" if outcome.error else fetched.status,
        items=0 if outcome.error else items,
        new=outcome.new,
        error=outcome.error,
        elapsed_ms=fetched.elapsed_ms,
        name=outcome.feed.name or outcome.title or outcome.state.title,
        final_url=fetched.final_url,
        warning=outcome.warning,
    )
