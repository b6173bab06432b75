"""The `monitor` command line. Thin: parse arguments, call the library, print.

Commands load lazily, so `monitor --help` and `monitor --version` start in about the time
Python takes to import click, and `monitor rules check` never imports the fetch, store or
Slack stacks. The pattern, for every command module (`monitor/cli/<name>.py`):

1. At module level import only click, the standard library and `monitor.cli.common`
   (plus light modules such as `monitor.errors`; type-only imports go under
   `TYPE_CHECKING`). Import what the command runs (the store, the pipeline, Slack,
   rich) inside the command's function: `--help` imports the module to read its help.
2. Register it with one line in `COMMANDS` below: `"name": "monitor.cli.<module>:<attr>"`
   (`attr` is a click command or group).
3. Give it a docstring with an `Example:` and a line in README.md (tests/test_docs.py).

tests/cli/test_startup.py fails when `monitor --help` or `rules check` imports a heavy
module, and `python bench/startup.py` measures the start-up time.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from monitor import __version__
from monitor.cli.common import Context
from monitor.errors import ConfigError, MonitorError

COMMANDS: dict[str, str] = {
    "config": "monitor.cli.setup:config",
    "db": "monitor.cli.db:db",
    "digest": "monitor.cli.digest:digest",
    "extract": "monitor.cli.summaries:extract",
    "facts": "monitor.cli.facts:facts",
    "feeds": "monitor.cli.feeds:feeds",
    "init": "monitor.cli.setup:init",
    "rules": "monitor.cli.rules:rules",
    "run": "monitor.cli.daemon:run",
    "scan": "monitor.cli.scan:scan",
    "slack": "monitor.cli.slack:slack",
    "status": "monitor.cli.daemon:status",
    "summarise": "monitor.cli.summaries:summarise",
}


class MonitorGroup(click.Group):
    """Loads commands from `COMMANDS` when they are asked for. Turns a MonitorError into
    one line on stderr (a config's problems one per line) and exit 1; -v adds the
    traceback. Usage errors keep click's exit 2, spelled `error:` like every error."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        module, _, attr = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            if isinstance(ctx.obj, Context) and ctx.obj.verbose:
                traceback.print_exc()
            _report(exc)
            ctx.exit(1)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> NoReturn:
        # click's standalone mode would print "Error:"; errors are spelled "error:" here
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            _usage_error(exc)
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _report(exc: MonitorError) -> None:
    if isinstance(exc, ConfigError) and len(exc.problems) > 1:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"error: {len(exc.problems)} problems in the config; fix them, then "
                   "`monitor config check` to check again", err=True)
    else:
        click.echo(f"error: {exc}", err=True)


def _usage_error(exc: click.ClickException) -> None:
    if type(exc).__name__ == "NoArgsIsHelpError":  # `monitor` alone: the help (click >= 8.2)
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.\n",
                   err=True)
    click.echo(f"error: {exc.format_message()}", err=True)


@click.group(cls=MonitorGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="monitor")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and debug logging.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Watch news feeds for AI infrastructure and compute, and post digests to Slack.

    Start with `monitor scan`, or `monitor init` for a config and rules to edit.

    Example:

        monitor scan --since 24h
    """
    ctx.obj = Context(verbose=verbose)


def main() -> None:
    cli(prog_name="monitor")
