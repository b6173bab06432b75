"""Benchmark start-up: `monitor --help` and `--version` against `python -c "import click"`.

Each command runs as a fresh process, alternating with the baseline so that both meet the
same machine load; the median of the runs is compared. The target is at most 4x the
baseline (issue 11). `rules check` is timed too, for reference. Run it from any folder
with the package installed:

    python bench/startup.py
    python bench/startup.py --repeat 40
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BASELINE = [sys.executable, "-c", "import click"]
TARGET = 4.0


def monitor_command() -> list[str]:
    """The `monitor` console script beside this Python, else `python -m monitor`."""
    script = Path(sys.executable).parent / "monitor"
    found = str(script) if script.exists() else shutil.which("monitor")
    return [found] if found else [sys.executable, "-m", "monitor"]


def run_once(argv: Sequence[str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return time.perf_counter() - started


def measure(commands: dict[str, list[str]], repeat: int, cwd: str) -> dict[str, list[float]]:
    """Every command `repeat` times, interleaved, after one warm-up run each."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        run_once(argv, cwd)
    for _ in range(repeat):
        for name, argv in commands.items():
            times[name].append(run_once(argv, cwd))
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    monitor = monitor_command()
    commands = {"import click (baseline)": BASELINE, "monitor --help": [*monitor, "--help"],
                "monitor --version": [*monitor, "--version"],
                "monitor rules check": [*monitor, "rules", "check"]}
    with tempfile.TemporaryDirectory() as empty:  # no monitor.toml, the shipped rules
        times = measure(commands, args.repeat, empty)
    base = statistics.median(times["import click (baseline)"])
    print(f"{'command':<26} {'median ms':>10} {'min ms':>8} {'x baseline':>11}")
    worst = 0.0
    for name, runs in times.items():
        ratio = statistics.median(runs) / base
        if name in ("monitor --help", "monitor --version"):
            worst = max(worst, ratio)
        print(f"{name:<26} {statistics.median(runs) * 1000:>10.0f} {min(runs) * 1000:>8.0f} "
              f"{ratio:>10.2f}x")
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"\n--help and --version: {worst:.2f}x the baseline ({verdict} the {TARGET:g}x target; "
          f"{args.repeat} runs each, load {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
