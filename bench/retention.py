"""Benchmark retention: a year of a 1,000-feed deployment, with and without it, in one run.

Two SQLite stores live through the same simulated year, day by day: each day brings about
20,000 new articles from 1,000 feeds (0.5% of them matching), each feed lists its 20
newest items, one digest goes to one channel, and "ours" runs the daily retention pass
(180 days by default); the baseline keeps everything. The year is compact: a day's
articles are written in one transaction (what 48 poll cycles would write, with plain
executemany and short texts), and only the measured poll cycles go through the store's API.

Every `--sample` days both stores are measured the same way, interleaved: the file size
(database and WAL), one poll cycle's store work at 1,000 feeds (feed states, which of
20,000 listed items are known, ~420 new articles and their matches, 1,000 feed states
written), and one digest (the window's matches gathered, grouped, ranked, rendered,
stored in the outbox with what it posts). The script prints the samples, ours against the
baseline, and the retention pass's own cost.

    python bench/retention.py                         # 365 days x 20,000 articles (~20 min)
    python bench/retention.py --per-day 2000 --days 200 --retention 60d   # a quick look
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import Channel, Config, parse_duration  # noqa: E402
from monitor.model import Article, FeedState, Hit, Match  # noqa: E402
from monitor.outbox import Outbox  # noqa: E402
from monitor.posting import gather, prepare, record  # noqa: E402
from monitor.retention import prune  # noqa: E402
from monitor.schema import articles, matches  # noqa: E402
from monitor.store import Store  # noqa: E402

START = datetime(2026, 1, 1, 6, tzinfo=UTC)
FEEDS = 1000
LISTED = 20  # items a feed lists
MATCHED = 200  # one article in 200 matches: ~100 a day
CYCLES_A_DAY = 48  # a poll cycle every 30 minutes
REPEATS = 3  # poll cycles measured per sample (each with its own new articles): the best
WORDS = ["Nvidia", "Oracle", "Equinix", "Nebius", "Meta", "Lyon", "Oslo", "Texas", "Dublin",
         "Osaka", "Milan", "Quebec", "Mistral", "Iberdrola", "Scaleway", "Cerebras"]
HIT = Hit("data centre*", "title", "data centre", 0, 11, 0)
HITS = json.dumps([{"term": HIT.term, "field": HIT.field, "text": HIT.text, "start": HIT.start,
                    "end": HIT.end, "group": HIT.group}])


@dataclass
class Variant:
    name: str
    store: Store
    path: Path
    keep: timedelta | None
    samples: list[tuple[int, float, float, float]] = field(default_factory=list)  # day, MB, s, s
    prune_seconds: list[float] = field(default_factory=list)
    longest_batch: float = 0.0
    removed: int = 0


def feed_url(n: int) -> str:
    return f"https://feed{n:04}.example/rss"


def day_rows(day: int, per_day: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The articles first seen on `day`, and the matches of one in MATCHED (SQLite rows)."""
    rows, found = [], []
    for i in range(per_day):
        # As SQLAlchemy stores a UTC datetime in SQLite: naive, microseconds included.
        when = (START + timedelta(days=day, seconds=i * 86400 // per_day)) \
            .replace(tzinfo=None).isoformat(" ", "microseconds")
        feed = i % FEEDS
        uid = f"{feed_url(feed)}/{day}/{i}"
        matched = i % MATCHED == 0
        who, where = WORDS[(i // 7) % len(WORDS)], WORDS[(i // 3 + day) % len(WORDS)]
        title = (f"{who} plans a {100 + i % 900} MW AI data centre in {where}, site {day}-{i}"
                 if matched else f"Item {i} of day {day} from feed {feed}")
        rows.append((uid, uid, title, title, "", when, f"Feed {feed}", feed_url(feed), when))
        if matched:
            found.append((uid, "ai-infrastructure", 7.0, HITS, when))
    return rows, found


def listing(day: int, per_day: int) -> list[FeedState]:
    """Each feed lists its LISTED newest items."""
    newest = range(max(0, per_day - FEEDS * LISTED), per_day)
    by_feed: dict[int, list[str]] = {}
    for i in newest:
        by_feed.setdefault(i % FEEDS, []).append(f"{feed_url(i % FEEDS)}/{day}/{i}")
    when = START + timedelta(days=day, hours=23)
    return [FeedState(feed_url(n), last_status="ok", last_attempt=when, last_success=when,
                      item_uids=tuple(by_feed.get(n, ()))) for n in range(FEEDS)]


def live_day(v: Variant, day: int, per_day: int) -> None:
    rows, found = day_rows(day, per_day)
    with v.store.begin() as c:
        c.exec_driver_sql(f"INSERT INTO articles ({', '.join(col.name for col in articles.c)}) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        c.exec_driver_sql(f"INSERT INTO matches ({', '.join(col.name for col in matches.c)}) "
                          "VALUES (?, ?, ?, ?, ?)", found)
        v.store.save_feed_states(listing(day, per_day), c)


def poll_cycle(v: Variant, day: int, per_day: int) -> float:
    """The store's work in a poll cycle of all feeds: the best of REPEATS, in seconds."""
    return min(one_cycle(v, day, per_day, n) for n in range(REPEATS))


def one_cycle(v: Variant, day: int, per_day: int, repeat: int) -> float:
    now = START + timedelta(days=day, hours=23, minutes=50 + repeat)
    states = listing(day, per_day)
    fresh = [Article(f"{feed_url(n % FEEDS)}/cycle-{day}-{repeat}/{n}",
                     f"https://x.example/{day}/{repeat}/{n}",
                     f"Late item {n}", "", "", now, "Feed", feed_url(n % FEEDS))
             for n in range(per_day // CYCLES_A_DAY)]
    listed = [uid for s in states for uid in s.item_uids] + [a.uid for a in fresh]
    started = time.perf_counter()
    v.store.feed_states(s.url for s in states)
    v.store.known(listed)
    v.store.known_urls(listed)
    with v.store.begin() as c:
        v.store.save_articles(fresh, now, c)
        v.store.save_matches({a.uid: [Match("ai-infrastructure", 6.0, (HIT,))]
                              for a in fresh[::MATCHED]}, now, c)
        v.store.save_feed_states(states, c, same_items=[s.url for s in states])
    return time.perf_counter() - started


def digest(v: Variant, day: int, config_rules: Path) -> float:
    """One channel's daily digest through the real posting path, timed."""
    now = START + timedelta(days=day, hours=23, minutes=59, seconds=30)
    channel = Channel(name="ai-infra", slack_channel="ai-infra", max_stories=15)
    config = Config(path=None, base=ROOT, database=v.store.url, rules=config_rules)
    started = time.perf_counter()
    outbox = Outbox(v.store)
    since = outbox.last_window_end(channel.name) or now - timedelta(days=1)
    items = gather(v.store, channel, since, now, lambda item: item)
    prepared = prepare(channel, items, now=now, since=since, outbox=outbox, mode="bot",
                       config=config)
    digest_id = record(v.store, prepared, now)
    if digest_id is not None:
        outbox.mark_delivered(digest_id, now)
    return time.perf_counter() - started


def size_mb(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1e6


def retain(v: Variant, day: int) -> None:
    if v.keep is None:
        return
    started = time.perf_counter()
    done = prune(v.store, START + timedelta(days=day, hours=23, minutes=59, seconds=50), v.keep)
    v.prune_seconds.append(time.perf_counter() - started)
    v.longest_batch = max(v.longest_batch, done.longest)
    v.removed += done.articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=20_000)
    parser.add_argument("--retention", default="180d")
    parser.add_argument("--sample", type=int, default=30, help="measure every N days")
    parser.add_argument("--dir", default=None, help="where the two stores go (default: a temp dir)")
    args = parser.parse_args()
    keep = parse_duration(args.retention)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        variants = [Variant(name, Store(f"sqlite:///{Path(tmp) / f'{name}.db'}"),
                            Path(tmp) / f"{name}.db", kept)
                    for name, kept in (("baseline", None), ("ours", keep))]
        run(variants, args.days, args.per_day, args.sample)
        report(variants, args, keep)
        for v in variants:
            v.store.close()


def run(variants: list[Variant], days: int, per_day: int, every: int) -> None:
    rules = ROOT / "rules"
    for day in range(days):
        for v in variants:
            live_day(v, day, per_day)
            sample = day % every == every - 1 or day == days - 1
            polled = poll_cycle(v, day, per_day) if sample else 0.0
            digested = digest(v, day, rules)  # every day, as the daemon does
            retain(v, day)
            if sample:
                v.samples.append((day + 1, size_mb(v.path), polled, digested))
        if day % every == every - 1:
            print(f"day {day + 1}: " + "; ".join(
                f"{v.name} {v.samples[-1][1]:.0f} MB, poll {v.samples[-1][2] * 1e3:.0f} ms, "
                f"digest {v.samples[-1][3] * 1e3:.0f} ms" for v in variants), file=sys.stderr)


def report(variants: list[Variant], args: argparse.Namespace, keep: timedelta) -> None:
    base, ours = variants
    print(f"{args.days} days x {args.per_day:,} articles a day from {FEEDS:,} feeds; "
          f"retention {args.retention} against keeping everything\n")
    print("| day | baseline MB | ours MB | baseline poll ms | ours poll ms | "
          "baseline digest ms | ours digest ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (day, bmb, bp, bd), (_, omb, op, od) in zip(base.samples, ours.samples, strict=True):
        print(f"| {day} | {bmb:.0f} | {omb:.0f} | {bp * 1e3:.0f} | {op * 1e3:.0f} | "
              f"{bd * 1e3:.0f} | {od * 1e3:.0f} |")
    window = keep.days
    last_b, last_o = base.samples[-1], ours.samples[-1]
    print(f"\nat day {last_o[0]}: size ours/baseline {last_o[1] / last_b[1]:.2f}x, "
          f"poll {last_o[2] / last_b[2]:.2f}x, digest {last_o[3] / last_b[3]:.2f}x")
    later = [i for i, s in enumerate(ours.samples) if s[0] > window + args.sample]
    if later:
        for label, column in (("poll", 2), ("digest", 3)):
            ratios = [ours.samples[i][column] / base.samples[i][column] for i in later]
            print(f"{label} ours/baseline after the window: median "
                  f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}x)")
        sizes = [ours.samples[i][1] for i in later]
        grew = base.samples[later[-1]][1] / base.samples[later[0]][1]
        print(f"ours after the window (days {ours.samples[later[0]][0]}-{last_o[0]}): "
              f"{min(sizes):.0f}-{max(sizes):.0f} MB, max/min {max(sizes) / min(sizes):.2f}x; "
              f"the baseline grew {grew:.2f}x over the same days")
    late = ours.prune_seconds[window:] or ours.prune_seconds
    print(f"daily retention pass: median {statistics.median(late):.2f} s, longest "
          f"{max(late):.2f} s; longest transaction {ours.longest_batch * 1e3:.0f} ms; "
          f"{ours.removed:,} articles removed in all")


if __name__ == "__main__":
    main()
