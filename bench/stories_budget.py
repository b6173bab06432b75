"""The time budget of same-story grouping, on one core: model load, and a digest with history.

Used by bench/stories.py. The load is timed in a fresh process (imports included), as a
`monitor scan` pays it; the digest groups `count` new articles and checks them against
`count` posted ones, as a daemon's digest does, with the model and without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.digest import build_digest
from monitor.embedding import load_model
from monitor.fingerprint import fingerprint
from monitor.followups import PostedStory
from monitor.model import Item

ROOT = Path(__file__).resolve().parent.parent
_LOAD = """
import json, time
started = time.perf_counter()
from monitor.embedding import load_model
model = load_model()
loaded = time.perf_counter() - started
model is not None and model.vectors(["warm up"])
print(json.dumps({"load": loaded, "model": model is not None}))
"""


def one_core() -> str:
    """Pin this process (and its children) to one CPU; returns which, for the report."""
    if not hasattr(os, "sched_setaffinity"):
        return "all cores (no affinity control here)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"cpu {cpu}"


def load_seconds() -> tuple[float, bool]:
    """Seconds a fresh process takes to import and load the model, and whether it is there."""
    done = subprocess.run([sys.executable, "-c", _LOAD], capture_output=True, text=True,
                          check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["load"]), bool(result["model"])


def history_of(items: Sequence[Item], days: int = 3) -> list[Item]:
    """The same kind of articles, posted `days` earlier under other ids: the channel's history."""
    return [Item(replace(item.article, uid=f"posted-{k}", url=f"https://posted.example/{k}",
                         published=(item.article.published or datetime(2026, 1, 1, tzinfo=UTC))
                         - timedelta(days=days)), ())
            for k, item in enumerate(items)]


def digest_seconds(items: Sequence[Item], history: Sequence[Item], semantic: bool,
                   earlier: Sequence[PostedStory] = ()) -> tuple[float, float]:
    """Wall and CPU seconds to build one digest of `items` against the posted `history`.

    Caches start cold. On a shared machine the CPU time is the fairer figure: the wall
    time also counts the time other processes held the core.
    """
    fingerprint.cache_clear()
    model = load_model()
    if model is not None:
        model.forget()
    now = max((i.article.published for i in items if i.article.published),
              default=datetime(2026, 2, 1, tzinfo=UTC))
    wall, cpu = time.perf_counter(), time.process_time()
    build_digest("bench", items, now=now, since=None, until=now, max_stories=15,
                 posted=[item.article for item in history], semantic=semantic,
                 earlier=earlier)
    return time.perf_counter() - wall, time.process_time() - cpu
