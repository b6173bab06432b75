"""`slack check` finds each misconfiguration, says how to fix it, and never posts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from monitor.config import Config, load_config
from monitor.slack_check import SCOPES, check_slack
from tests.slack_server import ALL_SCOPES, SlackServer

MANIFEST = Path(__file__).parents[1] / "slack" / "manifest.yaml"


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


def config(tmp_path: Path, slack: SlackServer | None, *channels: str,
           token: str | None = None, webhook: str = "") -> Config:
    text = "".join(f'[[channels]]\nname = "{c.split("=")[0]}"\n'
                   + (f'slack_channel = "{c.split("=")[1]}"\n' if "=" in c else "webhook = true\n")
                   for c in channels)
    (tmp_path / "monitor.toml").write_text(text, encoding="utf-8")
    env = {"SLACK_WEBHOOK_URL": webhook} if webhook else {}
    if slack is not None:
        env |= {"SLACK_BOT_TOKEN": slack.token if token is None else token,
                "SLACK_API_URL": slack.api_url}
    return load_config(str(tmp_path / "monitor.toml"), environ=env)


def lines(config: Config, channel: str | None = None) -> list[str]:
    return [("ok: " if f.ok else "problem: ") + f.text for f in check_slack(config, channel)]


def test_a_working_setup(slack: SlackServer, tmp_path: Path) -> None:
    found = lines(config(tmp_path, slack, "ai-infra=#ai-infra", "secret=G0SECRET"))
    assert found == [
        "ok: token: valid, the bot is @monitor-bot in workspace Test",
        "ok: channel ai-infra: #ai-infra (C0AIINFRA, public), the bot is a member",
        "ok: channel secret: #secret (G0SECRET, private), the bot is a member",
        "ok: scopes: channels:history, channels:read, chat:write, groups:history, groups:read "
        "granted",
    ]
    assert slack.calls("chat.postMessage") == 0


def test_each_channel_problem_with_its_fix(slack: SlackServer, tmp_path: Path) -> None:
    found = lines(config(tmp_path, slack, "a=#nowhere", "b=#outside", "c=C0ARCHIVE",
                         "d=C0NOTHERE"))
    assert found[1:5] == [
        "problem: channel a: Slack has no channel #nowhere that the bot can see "
        "(channel_not_found): check slack_channel in the config (a private channel must invite "
        "the bot first).",
        "problem: channel b: The bot is not a member of #outside (not_in_channel): invite it "
        "with /invite @monitor-bot.",
        "problem: channel c: Slack channel C0ARCHIVE is archived (is_archived): unarchive it or "
        "set slack_channel to another channel.",
        "problem: channel d: Slack has no channel C0NOTHERE that the bot can see "
        "(channel_not_found): check slack_channel in the config (a private channel must invite "
        "the bot first).",
    ]


def test_one_channel_only(slack: SlackServer, tmp_path: Path) -> None:
    found = lines(config(tmp_path, slack, "a=#nowhere", "b=ai-infra"), "b")
    assert not any("nowhere" in line for line in found)
    assert all(line.startswith("ok: ") for line in found)


@pytest.mark.parametrize("token", ["xoxb-wrong", ""])
def test_a_bad_or_missing_token(slack: SlackServer, tmp_path: Path, token: str) -> None:
    found = lines(config(tmp_path, slack, "ai-infra=ai-infra", token=token))
    if token:
        assert found == ["problem: token: Slack rejected the bot token (invalid_auth): set "
                         "SLACK_BOT_TOKEN to the app's current bot token (xoxb-…)."]
    else:
        assert found == ["problem: SLACK_BOT_TOKEN is not set, and channels ai-infra post with "
                         "a bot token: set it to the app's Bot User OAuth Token (xoxb-…)"]
    assert "xoxb-wrong" not in "".join(found)


def test_a_revoked_token(slack: SlackServer, tmp_path: Path) -> None:
    slack.state.revoked = True
    (found,) = lines(config(tmp_path, slack, "ai-infra=ai-infra"))
    assert found.startswith("problem: token: The Slack bot token was revoked (token_revoked): ")


@pytest.mark.parametrize("missing", ["chat:write", "channels:history"])
def test_a_missing_scope_is_named_with_what_it_is_for(tmp_path: Path, missing: str) -> None:
    with SlackServer(scopes=ALL_SCOPES - {missing}) as slack:
        found = lines(config(tmp_path, slack, "ai-infra=ai-infra"))
    assert found[-1] == (f"problem: scopes: the token lacks {missing}, needed to "
                         f"{SCOPES[missing]}: add it to the app (slack/manifest.yaml lists "
                         "every scope) and reinstall the app")


def test_without_channels_read_the_channels_are_not_checked(tmp_path: Path) -> None:
    with SlackServer(scopes=ALL_SCOPES - {"channels:read"}) as slack:
        found = lines(config(tmp_path, slack, "ai-infra=#ai-infra"))
    assert found[1] == ("problem: channel ai-infra: #ai-infra was not checked: the token may "
                        "not read channels (see the scopes below)")
    assert "the token lacks channels:read" in found[2]


def test_webhooks_and_no_slack_at_all(tmp_path: Path) -> None:
    assert lines(config(tmp_path, None, "hook", webhook="https://hooks.example/x")) == [
        "ok: channel hook: SLACK_WEBHOOK_URL is set (a webhook cannot be checked without "
        "posting; its delivery is at-least-once)"]
    assert lines(config(tmp_path, None, "hook"))[0].startswith(
        "problem: channel hook posts by webhook but SLACK_WEBHOOK_URL is not set")
    (nothing,) = lines(config(tmp_path, None))
    assert nothing.startswith("problem: no Slack channel is configured")


def test_the_manifest_asks_for_exactly_the_scopes_the_bot_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(SCOPES) == set(ALL_SCOPES)
    assert manifest["features"]["bot_user"]["display_name"]
