"""`monitor slack check`: what is wrong with the Slack setup, one line per problem."""

from __future__ import annotations

import click

from monitor.cli.common import config_option, get_config, now, open_store, store_exists


@click.group()
def slack() -> None:
    """Slack setup.

    Example:

        monitor slack check
    """


@slack.command()
@config_option
@click.option("--channel", "channel_name", metavar="NAME",
              help="Only this [[channels]] entry (default: every channel).")
def check(config_path: str | None, channel_name: str | None) -> None:
    """Check the bot token, its scopes, and each channel (exists, not archived, bot a member).

    Reads only, never posts. Prints one line per finding, each problem with its fix, and
    exits 1 when something is wrong. A channel found fixed no longer waits: its pending
    digests go out on the next run. With no store yet (a SQLite file not created), none is
    created.

    Example:

        monitor slack check --channel ai-infra
    """
    from monitor.slack_check import check_slack

    config = get_config(config_path)
    store = open_store(config) if store_exists(config.database) else None
    try:
        findings = check_slack(config, channel_name, store=store, now=now())
    finally:
        if store is not None:
            store.close()
    for finding in findings:
        click.echo(f"{'ok' if finding.ok else 'problem'}: {finding.text}")
    problems = sum(not f.ok for f in findings)
    click.echo(f"{problems} problem{'s' if problems != 1 else ''} found" if problems
               else "all good: digests can be posted")
    if problems:
        raise click.exceptions.Exit(1)
