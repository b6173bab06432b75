"""The poll benchmark's measurements, each run by bench/poll.py in a fresh interpreter.

    python bench/poll_measure.py cycle|baseline JSON-SPEC

prints one JSON object: wall time, peak RSS, and what was found. A fresh process per
measurement keeps each peak its own.
"""

from __future__ import annotations

import cProfile
import json
import os
import resource
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The rest is imported where it runs, as `monitor run` does: the parse pool's workers start
# by importing the main module, and a main module that imported the whole stack would put
# SQLAlchemy, trafilatura and the rest into every worker, which the daemon's do not carry.

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


class _HelperMemory(threading.Thread):
    """Peak memory of this process's descendants: the parse pool's fork server and workers.

    getrusage cannot see them (the workers are the fork server's children, not ours, and
    live until the pool closes), so /proc is sampled every 50 ms. The measure is PSS:
    pages the workers share with the fork server (the parser's code) count once in all,
    where summing RSS would count them once per process. Linux only; 0 elsewhere.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            total = sum(_pss_kb(pid) for pid in _descendants(os.getpid()))
            self.peak_kb = max(self.peak_kb, total)

    def peak_mb(self) -> float:
        self.stopped.set()
        self.join()
        return self.peak_kb / 1024


def _descendants(root: int) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    kids = [int(k) for k in children.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_baseline(spec: dict[str, Any]) -> dict[str, Any]:
    """The naive poller over the first `count` feeds."""
    from poll_baseline import naive_poll

    from monitor.rules.load import load_rules_strict

    urls = [f"{spec['base']}/feed/{n}.xml" for n in range(spec["count"])]
    rules = load_rules_strict(spec["rules"])
    start = time.perf_counter()
    found, articles, match_seconds = naive_poll(urls, rules)
    return {"seconds": time.perf_counter() - start, "match_seconds": match_seconds,
            "count": len(urls), "urls": urls, "found": found, "articles": articles,
            "rss_mb": _rss_mb(resource.RUSAGE_SELF)}


def run_cycle(spec: dict[str, Any]) -> dict[str, Any]:
    """One of our cycles, as `monitor run` polls: on the store at `db`, the shipped rules,
    the address guard on, and no report (the daemon only stores; what it stored is read
    back from the store afterwards, outside the timing)."""
    from monitor.model import Feed
    from monitor.pipeline import CycleOptions, run_scan
    from monitor.rules.load import load_rules_strict
    from monitor.sources.fetch import FetchSettings
    from monitor.sources.fulltext import feed_origins
    from monitor.sources.guard import AddressGuard
    from monitor.store import Store, database_url

    feeds = [Feed(f"{spec['base']}/feed/{n}.xml") for n in range(spec["count"])]
    rules = load_rules_strict(spec["rules"])
    store = Store(database_url(spec["db"]))
    settings = FetchSettings(concurrency=spec["concurrency"], per_host=spec["per_host"])
    now = NOW + timedelta(minutes=spec["minute"])
    helpers = _HelperMemory()
    helpers.start()
    profile = cProfile.Profile() if spec.get("profile") else None
    start = time.perf_counter()
    if profile is not None:
        profile.enable()
    options = CycleOptions(report=False, guard=AddressGuard(feed_origins(feeds)))
    report = run_scan(feeds, rules=rules, settings=settings, store=store, now=now,
                      options=options)
    seconds = time.perf_counter() - start
    if profile is not None:
        profile.disable()
        profile.dump_stats(f"{spec['profile']}/{spec['count']}-{spec['minute']}.prof")
    current = {uid for state in store.feed_states().values() for uid in state.item_uids}
    stored = {uid: ms for uid, ms in store.matches().items() if uid in current and ms}
    articles = store.articles(list(stored))
    store.close()
    statuses = Counter(f.status for f in report.feeds)
    new = sum(f.new for f in report.feeds)
    summary = ", ".join(f"{v} {k}" for k, v in sorted(statuses.items())) + \
        f"; {new} new, {len(stored)} matched"
    matched = {uid: (articles[uid].feed_url, [(m.rule_id, m.score) for m in ms])
               for uid, ms in stored.items()}
    return {"seconds": seconds, "rss_mb": _rss_mb(resource.RUSAGE_SELF),
            "pool_mb": helpers.peak_mb(), "summary": summary,
            "matched": matched}


if __name__ == "__main__":
    runner = {"cycle": run_cycle, "baseline": run_baseline}[sys.argv[1]]
    print(json.dumps(runner(json.loads(sys.argv[2]))))
