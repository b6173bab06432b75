"""The `monitor` command line. Thin: parse arguments, call the library, print."""

from __future__ import annotations

import traceback
from typing import Any

import click

from monitor import __version__
from monitor.cli.common import Context
from monitor.cli.daemon import run, status
from monitor.cli.digest import digest
from monitor.cli.facts import facts
from monitor.cli.feeds import feeds
from monitor.cli.rules import rules
from monitor.cli.scan import scan
from monitor.cli.summaries import extract, summarise
from monitor.errors import MonitorError


class MonitorGroup(click.Group):
    """Turns a MonitorError into one line on stderr and exit 1; -v adds the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            if isinstance(ctx.obj, Context) and ctx.obj.verbose:
                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=MonitorGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="monitor")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and debug logging.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Watch news feeds for AI infrastructure and compute, and post digests to Slack.

    Example:

        monitor scan --since 24h
    """
    ctx.obj = Context(verbose=verbose)


cli.add_command(scan)
cli.add_command(feeds)
cli.add_command(rules)
cli.add_command(digest)
cli.add_command(extract)
cli.add_command(summarise)
cli.add_command(facts)
cli.add_command(run)
cli.add_command(status)


def main() -> None:
    cli(prog_name="monitor")
