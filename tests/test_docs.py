"""CLI, help and README kept in step: every command has an example and is documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import cli

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top-level group loads its commands lazily
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix} {name}".strip()
        out.append((path, command))
        if isinstance(command, click.Group):
            out += commands(command, path)
    return out


ALL = commands(cli)


def test_the_cli_has_every_contract_command() -> None:
    names = {path for path, _ in ALL}
    assert names >= {"scan", "run", "digest", "rules check", "rules test", "rules explain",
                     "rules seed", "rules replay", "feeds list", "feeds check", "feeds import",
                     "feeds export", "extract", "summarise", "status", "init", "config check"}


@pytest.mark.parametrize(("path", "command"), ALL, ids=[p for p, _ in ALL])
def test_every_command_has_help_with_an_example(path: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*path.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output, f"`monitor {path} --help` has no example"


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[p for p, _ in ALL])
def test_every_command_is_in_the_readme(path: str) -> None:
    assert f"monitor {path}" in README, f"`monitor {path}` is missing from README.md"


def test_the_readme_gives_exactly_the_two_setup_commands_ci_runs() -> None:
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    setup = [line for line in README.splitlines() if line.startswith("python3 -m venv")]
    assert len(setup) == 2
    assert setup[1] in ci.splitlines()
