"""`monitor slack check` from the command line: its lines and its exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.slack_server import SlackServer


def test_slack_check_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text(
        '[[channels]]\nname = "ai-infra"\nslack_channel = "#ai-infra"\n'
        '[[channels]]\nname = "ops"\nslack_channel = "#outside"\n', encoding="utf-8")
    for name in ("MONITOR_CONFIG", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    with SlackServer() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        good = CliRunner().invoke(cli, ["slack", "check", "--channel", "ai-infra"])
        bad = CliRunner().invoke(cli, ["slack", "check"])
    assert good.exit_code == 0, good.output
    assert good.stdout.splitlines()[-1] == "all good: digests can be posted"
    assert bad.exit_code == 1
    assert ("problem: channel ops: The bot is not a member of #outside (not_in_channel): "
            "invite it with /invite @monitor-bot.") in bad.stdout.splitlines()
    assert bad.stdout.splitlines()[-1] == "1 problem found"
    assert slack.token not in good.output + bad.output
    # A check from a folder with no store yet leaves none behind.
    assert not (tmp_path / "monitor.db").exists()


def test_slack_check_keeps_what_it_learns_in_an_existing_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.config import load_config
    from monitor.slack_state import SlackState
    from monitor.store import Store

    monkeypatch.chdir(tmp_path)
    (tmp_path / "monitor.toml").write_text(
        '[[channels]]\nname = "ai-infra"\nslack_channel = "#ai-infra"\n', encoding="utf-8")
    for name in ("MONITOR_CONFIG", "SLACK_WEBHOOK_URL", "MONITOR_DB"):
        monkeypatch.delenv(name, raising=False)
    Store(load_config(tmp_path / "monitor.toml").database).close()
    with SlackServer() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        result = CliRunner().invoke(cli, ["slack", "check"])
    assert result.exit_code == 0, result.output
    store = Store(load_config(tmp_path / "monitor.toml").database)
    try:
        state = SlackState(store).get("ai-infra")
        assert state is not None and state.id_for("#ai-infra")
    finally:
        store.close()
