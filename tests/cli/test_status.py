"""`monitor status` from the command line: its exit code and complete output when piped."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.cli.test_scan import closed_port


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_CONFIG", "MONITOR_DB", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    port = closed_port()
    (tmp_path / "monitor.toml").write_text("".join(
        f'[[feeds]]\nurl = "http://127.0.0.1:{port}/{"very-long-path/" * 8}feed{k}.xml"\n'
        for k in range(3)), encoding="utf-8")
    return tmp_path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_before_any_poll_status_says_so(env: Path) -> None:
    result = invoke("status")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == \
        "no feed polled yet: `monitor run` (or `monitor scan`) polls them"


def test_every_feed_failing_exits_1_and_the_piped_table_is_whole(env: Path) -> None:
    assert invoke("scan", "--no-full-text").exit_code == 0
    result = invoke("status")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "# feeds"
    assert lines[1] == "feed\tstate\tlast success\terrors\tlast error"
    url, state, success, errors, error = lines[2].split("\t")
    assert url.endswith("very-long-path/feed0.xml") and state.startswith("failing since")
    assert (success, errors) == ("-", "1")
    assert error.startswith("could not connect (") and error.endswith(
        "check the URL and that the site is up")
    assert lines[-1] == (
        "needs attention: every feed is failing (3 of 3 feeds): connections fail. What to check "
        "first: that this machine is online, then its firewall and proxy settings.")
