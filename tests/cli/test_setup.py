"""`monitor init` and `monitor config check`, and the config check every command runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

FEED = Path(__file__).parents[1] / "data" / "docker" / "feed.xml"
BROKEN = """\
[[channels]]
name = "ai-infra"
rules = ["no-such-rule"]
schedule = "0 25 * * mon"
sections = "bogus"
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("MONITOR_CONFIG", "MONITOR_DB", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_init_writes_the_files_and_says_what_to_do_next(env: Path) -> None:
    result = invoke("init", "team")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        f"wrote {Path('team/monitor.toml')}", f"wrote {Path('team/rules/ai-infrastructure.yaml')}",
        f"wrote {Path('team/rules/tests/ai-infrastructure.yaml')}"]
    for step in ("cd team && monitor scan", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL",
                 "[[channels]]", "schedule", "monitor digest --dry-run --format slack"):
        assert step in result.stdout
    (env / "team" / "monitor.toml").write_text("# edited\n", encoding="utf-8")
    again = invoke("init", "team")
    assert again.exit_code == 0
    assert f"kept  {Path('team/monitor.toml')} (it exists; not overwritten)" in again.stdout
    assert (env / "team" / "monitor.toml").read_text(encoding="utf-8") == "# edited\n"


def test_config_check_passes_what_init_wrote(env: Path) -> None:
    invoke("init")
    result = invoke("config", "check")
    assert result.exit_code == 0
    assert result.stdout == ("monitor.toml: no problems · 16 feeds, no channels (digests go to "
                             "the terminal), the rules in rules/\n")


def test_config_check_without_a_file(env: Path) -> None:
    result = invoke("config", "check")
    assert result.exit_code == 0
    assert result.stdout.startswith("no config file: the built-in defaults: no problems · "
                                    "16 shipped feeds")


def test_config_check_lists_every_problem_and_exits_1(env: Path) -> None:
    (env / "monitor.toml").write_text(BROKEN, encoding="utf-8")
    result = invoke("config", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == \
        ["monitor.toml:3", "monitor.toml:4", "monitor.toml:5"]
    assert "'group'" in lines[2]
    assert lines[-1] == "3 problems in monitor.toml"


@pytest.mark.parametrize("command", [["scan", "--feed", str(FEED), "--no-store"],
                                     ["digest", "--dry-run"], ["status"], ["rules", "check"],
                                     ["feeds", "list"]])
def test_every_command_checks_the_whole_config_first(env: Path, command: list[str]) -> None:
    (env / "monitor.toml").write_text(BROKEN, encoding="utf-8")
    result = invoke(*command)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        *invoke("config", "check").stdout.splitlines()[:-1],
        "error: 3 problems in the config; fix them, then `monitor config check` to check again"]
    assert not (env / "monitor.db").exists()
