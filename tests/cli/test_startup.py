"""What starting a command imports: `--help` next to nothing, `rules check` no fetch or store.

Timing is for bench/startup.py; this checks the import graph, which is what makes it fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = {"sqlalchemy", "httpx", "httpcore", "trafilatura", "bs4", "lxml", "feedparser",
         "slack_sdk", "apscheduler", "rich", "yaml", "ahocorasick"}
FETCH_AND_STORE = {"sqlalchemy", "httpx", "httpcore", "trafilatura", "bs4", "lxml",
                   "feedparser", "slack_sdk", "monitor.store", "monitor.pipeline",
                   "monitor.sources.fetch", "monitor.outbox"}


def imported(cwd: Path, *args: str) -> set[str]:
    """Every module `monitor ARGS` imports, read from `python -X importtime`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "SLACK_"))}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "monitor", *args],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and "|" in line} - {"package"}


def heavy(modules: set[str], names: set[str]) -> set[str]:
    return {m for m in modules if m in names or m.split(".")[0] in names}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["rules", "--help"]])
def test_help_and_version_import_no_library_beyond_click(tmp_path: Path, args: list[str]) -> None:
    modules = imported(tmp_path, *args)
    assert "click" in modules
    assert heavy(modules, HEAVY) == set()


def test_rules_check_imports_neither_the_fetch_nor_the_store_stack(tmp_path: Path) -> None:
    modules = imported(tmp_path, "rules", "check")
    assert "monitor.rules.load" in modules
    assert heavy(modules, FETCH_AND_STORE) == set()


def test_a_config_check_without_channels_imports_no_scheduler(tmp_path: Path) -> None:
    assert heavy(imported(tmp_path, "config", "check"), FETCH_AND_STORE | {"apscheduler"}) == \
        set()


def test_monitor_alone_prints_its_help_and_an_unknown_command_is_one_error() -> None:
    from click.testing import CliRunner

    from monitor.cli import cli

    alone = CliRunner().invoke(cli, [])
    assert alone.exit_code == 2 and "Commands:" in alone.stderr and "error:" not in alone.stderr
    unknown = CliRunner().invoke(cli, ["scna"])
    assert unknown.exit_code == 2
    assert unknown.stderr.splitlines()[-1] == "error: No such command 'scna'."
