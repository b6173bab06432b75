"""Benchmark a poll cycle against a naive poller on the same feeds, in one run.

A loopback server in a separate process serves N feeds (generated ones of realistic size,
or copies of the real feeds given with --feeds-dir). The baseline polls them the naive way
(bench/poll_baseline.py). Then each of our cycles (`scan_feeds` with the shipped rules)
runs in a fresh process (bench/poll_measure.py) on one SQLite store, so each peak memory
is its own: cold (empty store), warm with 304 answers, warm with 5% of the feeds holding
one new item (validators on), and warm with a server that sends no validators and the
same bytes again. The script prints wall time, feeds per second, peak RSS of the cycle's
process ("RSS MB"), the peak PSS of the parse pool's processes beside it ("+pool"), and
the ratios; it exits 1 when the cold cycle and the baseline disagree on which articles
match.

    python bench/poll.py                             # 1,000 generated feeds
    python bench/poll.py --sizes 250,1000,4000 --repeat 3
    python bench/poll.py --feeds-dir                 # copies of ../shared/data/feeds/
    python bench/poll.py --feeds 250 --profile /tmp/prof   # cProfile of each cycle

The baseline takes about half a second per generated feed (nine tenths of it its
one-term-at-a-time matching), so it runs on the first --baseline-feeds feeds and its time
is scaled to N by bytes; those feeds (and their URLs) are the same at every size, so it
runs once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import poll_server  # noqa: E402

from monitor.sources.pool import usable_cpus  # noqa: E402

DEFAULT_FEEDS_DIR = ROOT.parent / "shared" / "data" / "feeds"
# (label, server validators on, fraction of feeds given a new item first)
CYCLES = [("cold", True, 0.0), ("warm, 304", True, 0.0), ("warm, 5% changed", True, 0.05),
          ("warm, same bytes", False, 0.0)]
# The issues' targets, by cycle (index into CYCLES): faster than what, and how many times
# (issue 10 set the 304 cycle's to 5x and under 2.5 s at 1,000 feeds, once httpcore and h11
# parse every answer); and the most seconds a cycle may take, per 1,000 feeds.
TARGETS = {0: ("baseline", 5.0), 1: ("cold", 5.0), 2: ("cold", 10.0), 3: ("cold", 10.0)}
SECONDS = {1: 2.5}


@dataclass
class Run:
    label: str
    seconds: float
    feeds: int
    rss_mb: float
    pool_mb: float = 0.0
    answers: str = ""
    note: str = ""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    CYCLES[2] = (f"warm, {args.changed:g}% changed", True, args.changed / 100)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.feeds]
    feeds_dir = Path(args.feeds_dir) if args.feeds_dir else None
    print(f"poll benchmark: {'copies of ' + str(feeds_dir) if feeds_dir else 'generated feeds'}"
          f"; {usable_cpus()} CPUs; fetch concurrency {args.concurrency}, per host {args.per_host}")
    baseline: dict[str, Any] | None = None
    ok, peaks, port = True, {}, 0
    for size in sizes:
        # The same port for every size: feed URLs, and so article uids, stay the same.
        with _server(size, args.seed, feeds_dir, port) as base:
            port = int(base.rsplit(":", 1)[1])
            if baseline is None:
                baseline = _baseline(base, min(args.baseline_feeds, size), args)
            runs, cold, total = _cycles(base, size, args)
        ok &= _report(size, total, baseline, runs, cold, args.repeat)
        peaks[size] = max(r.rss_mb + r.pool_mb for r in runs)
    if len(peaks) > 1:
        _growth(peaks)
    return 0 if ok else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds")
    parser.add_argument("--sizes", default="", help="several numbers of feeds: 250,1000,4000")
    parser.add_argument("--feeds-dir", nargs="?", const=str(DEFAULT_FEEDS_DIR), default=None,
                        help=f"serve copies of these real feeds (default {DEFAULT_FEEDS_DIR})")
    parser.add_argument("--rules", default=str(ROOT / "rules"), help="rules directory")
    parser.add_argument("--baseline-feeds", type=int, default=100,
                        help="feeds the (slow) baseline polls; its time is scaled to N")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-host", type=int, default=16,
                        help="the feeds share one loopback host; real ones are spread out")
    parser.add_argument("--changed", type=float, default=5.0,
                        help="percent of feeds given one new item in the third cycle")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run our cycles this many times and keep the fastest of each")
    parser.add_argument("--profile", metavar="DIR",
                        help="write a cProfile of each of our cycles to DIR/<N>-<cycle>.prof")
    return parser


class _server:
    """The feed server in its own process, for the length of a `with` block."""

    def __init__(self, count: int, seed: int, feeds_dir: Path | None, port: int) -> None:
        self.args = (count, seed, str(feeds_dir) if feeds_dir else None, port)

    def __enter__(self) -> str:
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=poll_server.run, args=(*self.args, send),
                                       daemon=True)
        self.process.start()
        port = receive.recv()
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join()


def _control(base: str, command: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_bench/{command}", timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def _answers(stats: dict[str, Any]) -> str:
    counts = stats["counts"]
    return ", ".join(f"{counts[k]}x{k}" for k in sorted(counts))


def _in_child(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return what it printed."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "poll_measure.py"), kind,
                           json.dumps(spec)], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _baseline(base: str, count: int, args: argparse.Namespace) -> dict[str, Any]:
    _control(base, "set?validators=1")
    _control(base, "stats")
    print(f"baseline: naive poller on the first {count} feeds ...", flush=True)
    result = _in_child("baseline", {"base": base, "count": count, "rules": args.rules})
    sizes = _control(base, "stats")["sizes"]
    result["bytes"] = sum(sizes[:count])
    return result


def _cycles(base: str, size: int, args: argparse.Namespace
            ) -> tuple[list[Run], dict[str, Any], int]:
    """Our four cycles, `--repeat` times on a fresh store each; the fastest of each cycle,
    the cold cycle's result and the feeds' bytes."""
    sizes = _control(base, "stats")["sizes"]
    print(f"{size} feeds, {sum(sizes) / 1e6:,.1f} MB: running our cycles ...", flush=True)
    best: list[Run] = []
    cold: dict[str, Any] = {}
    for attempt in range(args.repeat):
        _control(base, "reset")
        with tempfile.TemporaryDirectory(prefix="poll-bench-") as tmp:
            spec = {"base": base, "count": size, "rules": args.rules, "db": f"{tmp}/monitor.db",
                    "concurrency": args.concurrency, "per_host": args.per_host,
                    "profile": str(Path(args.profile).resolve()) if args.profile else ""}
            for n, (label, validators, fraction) in enumerate(CYCLES):
                _control(base, f"set?validators={int(validators)}")
                if fraction:
                    _control(base, f"change?fraction={fraction}&round={n}")
                result = _in_child("cycle", spec | {"minute": n})
                stats = _control(base, "stats")
                cold = cold or result
                run = Run(label, result["seconds"], size, result["rss_mb"], result["pool_mb"],
                          _answers(stats), result["summary"])
                if attempt == 0:
                    best.append(run)
                elif run.seconds < best[n].seconds:
                    best[n] = run
    return best, cold, sum(sizes)


def _report(size: int, total: int, baseline: dict[str, Any], runs: list[Run],
            cold: dict[str, Any], repeat: int) -> bool:
    """Print the table and the targets; False when the matches differ from the baseline's."""
    scale = total / baseline["bytes"]
    base_seconds = baseline["seconds"] * scale
    best = f" (our cycles: fastest of {repeat} runs)" if repeat > 1 else ""
    print(f"\nN = {size:,} feeds, {total / 1e6:,.1f} MB{best}")
    print(f"{'cycle':<22}{'wall s':>9}{'feeds/s':>10}{'RSS MB':>8}{'+pool':>7}"
          f"{'x baseline':>12}{'x cold':>8}  server answers; our report")
    print(f"{'baseline (naive)':<22}{base_seconds:>9.2f}{size / base_seconds:>10.1f}"
          f"{baseline['rss_mb']:>8.0f}{'':>7}{1.0:>12.1f}{'':>8}  "
          f"measured on {baseline['count']} feeds: {baseline['seconds']:.1f} s "
          f"({baseline['match_seconds']:.1f} s of it matching), scaled x{scale:.2f} by bytes")
    for run in runs:
        print(f"{run.label:<22}{run.seconds:>9.2f}{size / run.seconds:>10.1f}{run.rss_mb:>8.0f}"
              f"{run.pool_mb:>7.0f}{base_seconds / run.seconds:>12.1f}"
              f"{runs[0].seconds / run.seconds:>8.1f}  {run.answers}; {run.note}")
    for index, (against, floor) in TARGETS.items():
        reference = base_seconds if against == "baseline" else runs[0].seconds
        ratio = reference / runs[index].seconds
        print(f"  target: {runs[index].label} >= {floor:g}x faster than {against}: "
              f"{'met' if ratio >= floor else 'MISSED'} ({ratio:.1f}x)")
    print(f"  per feed in the 304 cycle: {runs[1].seconds / size * 1000:.2f} ms "
          "(request, answer, state update)")
    for index, limit in SECONDS.items():
        allowed = limit * size / 1000
        print(f"  target: {runs[index].label} under {allowed:g} s: "
              f"{'met' if runs[index].seconds < allowed else 'MISSED'} "
              f"({runs[index].seconds:.2f} s)")
    return _same_matches(baseline, cold)


def _same_matches(baseline: dict[str, Any], cold: dict[str, Any]) -> bool:
    urls = set(baseline["urls"])
    ours = {uid: [tuple(x) for x in found] for uid, (feed, found) in cold["matched"].items()
            if feed in urls}
    theirs = {uid: [tuple(x) for x in found] for uid, found in baseline["found"].items()}
    if ours == theirs:
        print(f"  matches: the cold cycle found the same {len(ours)} matches as the baseline "
              f"on its {len(urls)} feeds ({baseline['articles']:,} articles)")
        return True
    differ = sorted(set(ours) ^ set(theirs) | {u for u in ours if theirs.get(u) != ours[u]})
    print(f"  MATCHES DIFFER on {len(differ)} articles (ours {len(ours)}, baseline {len(theirs)})")
    for uid in differ[:10]:
        print(f"    {uid}: ours {ours.get(uid)} baseline {theirs.get(uid)}")
    return False


def _growth(peaks: dict[int, float]) -> None:
    sizes = sorted(peaks)
    steps = [f"{peaks[b] / peaks[a]:.2f}x for {b / a:g}x the feeds"
             for a, b in itertools.pairwise(sizes)]
    print(f"\npeak RSS of our cycles (main + pool): "
          f"{', '.join(f'{peaks[s]:.0f} MB at {s:,}' for s in sizes)}; growth {'; '.join(steps)}")


if __name__ == "__main__":
    sys.exit(main())
