"""Benchmark follow-ups: updates, quiet repeats and wrong updates when earlier stories are posted.

On stories-dev.jsonl, time is simulated from the events: an event's month comes from its id
(".../2025-07"), an undated event comes just after the event it follows up. Each article is
then judged by `monitor.followups` against a channel that has received every earlier event
(every article of it, as one posted story), in four trials:

- follow-up (`followup_of` set): its own event not posted yet; it should come out as an
  update of the event it follows up;
- repeat: the other articles of its own event posted too; it should stay quiet;
- near miss (`near_miss_of` set): the event it is a near miss of posted too, whatever its
  date; it should be a new story (an update of it is a wrong update, a repeat drops news);
- new: any other article, its own event not posted yet; it should be a new story.

Nothing is tuned here: the rule and its constants are the module's. Also timed: deciding a
digest of 1,000 synthetic articles against 90 days of posted stories, on one core.

    python bench/followups.py
    python bench/followups.py --errors
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stories import DEFAULT_DATA, Row, load, to_item  # noqa: E402
from stories_baseline import synthetic  # noqa: E402
from stories_budget import digest_seconds, history_of, one_core  # noqa: E402

from monitor.followups import Decision, Followups, PostedStory  # noqa: E402
from monitor.model import Story  # noqa: E402
from monitor.posting import FOLLOWUP_MEMORY, POSTED_MEMORY  # noqa: E402

_MONTH = re.compile(r"(20\d\d)-(\d\d)$")
WHEN = datetime(2026, 6, 1, tzinfo=UTC)
DAILY = 15  # stories a channel receives a day (max_stories' default)


def event_order(rows: Sequence[Row]) -> dict[str, tuple[int, int, int]]:
    """(year, month, step) of each event: from its id, or just after the event it follows."""
    first = {str(r["event"]): r for r in reversed(rows)}

    def key(event: str, depth: int = 0) -> tuple[int, int, int]:
        found = _MONTH.search(event)
        if found:
            return int(found.group(1)), int(found.group(2)), 0
        parent = first[event].get("followup_of")
        if parent and depth < 10:
            year, month, step = key(str(parent), depth + 1)
            return year, month, step + 1
        return 0, 0, 0

    return {event: key(event) for event in first}


def moment(key: tuple[int, int, int]) -> datetime:
    """When an event happened in the simulation: mid-month, ten days a step later."""
    year, month, step = key
    return datetime(max(year, 2000), max(month, 1), 15, tzinfo=UTC) + timedelta(days=10 * step)


def posted_story(event: str, rows: Sequence[Row], at: datetime, number: int) -> PostedStory:
    articles = tuple(to_item(r).article for r in rows)
    return PostedStory(id=event, articles=articles, posted_at=at, ts=f"{number}.000100")


def trial(row: Row, rows: Sequence[Row], order: dict[str, tuple[int, int, int]],
          with_own: bool, memory: bool) -> Decision:
    """Judge one article against the events posted before its own (and its near miss's).

    With `memory`, only what posting.py remembers counts: stories of the last
    FOLLOWUP_MEMORY for updates, articles of the last POSTED_MEMORY for repeats; without,
    every earlier event (and the near miss's, whenever it was) counts for both.
    """
    event = str(row["event"])
    now = moment(order[event])
    by_event: defaultdict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_event[str(r["event"])].append(r)
    chosen = {e for e in by_event if order[e] < order[event] and e != event}
    if row.get("near_miss_of") and not memory:
        chosen.add(str(row["near_miss_of"]))
    if memory:
        chosen = {e for e in chosen if now - moment(order[e]) <= FOLLOWUP_MEMORY}
    stories = [posted_story(e, by_event[e], min(now, moment(order[e])), k)
               for k, e in enumerate(sorted(chosen))]
    if with_own:
        others = [r for r in by_event[event] if r["id"] != row["id"]]
        stories.append(posted_story(event, others, now, len(stories)))
    recent = [a for s in stories for a in s.articles
              if not memory or now - s.posted_at <= POSTED_MEMORY]
    item = to_item(row)
    return Followups(recent, stories).decide(Story(id=str(row["id"]), lead=item))


def measure(rows: Sequence[Row], errors: bool, memory: bool) -> Counter[str]:
    order = event_order(rows)
    sizes = Counter(str(r["event"]) for r in rows)
    tally: Counter[str] = Counter()
    for row in rows:
        if sizes[str(row["event"])] > 1:
            outcome = trial(row, rows, order, with_own=True, memory=memory)
            tally["repeat", outcome.verdict] += 1  # type: ignore[index]
            _show(errors and outcome.verdict != "repeat", "repeat", row, outcome)
        kind = "follow-up" if row.get("followup_of") else \
            "near miss" if row.get("near_miss_of") else "new"
        outcome = trial(row, rows, order, with_own=False, memory=memory)
        verdict = outcome.verdict
        if kind == "follow-up" and verdict == "update":
            assert outcome.followup is not None
            verdict = "update" if outcome.followup.story == row["followup_of"] else "wrong update"
        tally[kind, verdict] += 1  # type: ignore[index]
        wanted = "update" if kind == "follow-up" else "new"
        _show(errors and verdict != wanted, kind, row, outcome)
    return tally


def _show(shown: bool, kind: str, row: Row, outcome: Decision) -> None:
    if not shown:
        return
    of = f" of {outcome.followup.story} ({', '.join(outcome.followup.news)})" \
        if outcome.followup else ""
    print(f"  {kind:<9} -> {outcome.verdict}{of}: {str(row['title'])[:70]!r}")


def report(tally: Counter[str]) -> None:
    def line(kind: str, want: str, total_of: Sequence[str]) -> str:
        total = sum(tally[kind, v] for v in total_of)  # type: ignore[index]
        parts = ", ".join(f"{tally[kind, v]} {v}" for v in total_of  # type: ignore[index]
                          if tally[kind, v])  # type: ignore[index]
        return f"{kind:<10} {tally[kind, want]:>3} of {total:<3} {want:<7} ({parts})"  # type: ignore[index]

    verdicts = ["update", "wrong update", "repeat", "new"]
    print(line("follow-up", "update", verdicts))
    print(line("repeat", "repeat", verdicts))
    print(line("near miss", "new", verdicts))
    print(line("new", "new", verdicts))


def timing(rows: Sequence[Row], count: int, seed: int) -> None:
    """A digest of `count` articles against a day of posted ones (as bench/stories.py times
    it), without and with FOLLOWUP_MEMORY of earlier stories (DAILY a day, by their leads)."""
    core = one_core()
    items = synthetic(rows, count, seed)
    history = history_of(synthetic(rows, count, seed + 1), days=1)
    days = FOLLOWUP_MEMORY.days
    leads = history_of(synthetic(rows, DAILY * days, seed + 2), days=days // 2)
    earlier = [PostedStory(id=f"s{k}", articles=(item.article,),
                           posted_at=WHEN - FOLLOWUP_MEMORY * (k / len(leads)))
               for k, item in enumerate(leads)]
    without = digest_seconds(items, history, semantic=True)
    with_earlier = digest_seconds(items, history, semantic=True, earlier=earlier)
    print(f"one core ({core}, load {os.getloadavg()[0]:.1f}): a digest of {count:,} articles "
          f"against {len(history):,} posted, CPU (wall) seconds: {without[1]:.2f} "
          f"({without[0]:.2f}); with {len(earlier):,} earlier stories ({days} days of "
          f"{DAILY}): {with_earlier[1]:.2f} ({with_earlier[0]:.2f}); ratio "
          f"{with_earlier[1] / without[1]:.2f}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="stories JSONL file")
    parser.add_argument("--errors", action="store_true", help="list every unwanted outcome")
    parser.add_argument("--synthetic", type=int, default=1000, help="new stories, timed run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rows = load(args.data)
    print(f"{args.data.name}: {len(rows)} articles, "
          f"{len({r['event'] for r in rows})} events")
    for memory in (True, False):
        print("as posting.py remembers (updates: 90 days; repeats: 7 days):" if memory else
              "every earlier event remembered, near misses always posted (a stress test):")
        report(measure(rows, args.errors, memory))
    timing(rows, args.synthetic, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
