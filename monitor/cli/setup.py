"""`monitor init` (a config and rules to edit) and `monitor config check`."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.common import config_option, plural

NEXT_STEPS = """
Next:
  1. Try it: {cd}monitor scan --since 7d
  2. Slack: put a bot token in the environment (SLACK_BOT_TOKEN=xoxb-..., scope chat:write,
     the bot invited with /invite @your-bot), or an incoming webhook (SLACK_WEBHOOK_URL=...).
  3. In {config}, uncomment [[channels]]: its slack_channel (or webhook = true), the rules
     it gets, and its schedule (cron in `timezone`, e.g. "0 9 * * mon-fri").
  4. Preview what would be posted: monitor digest --dry-run --format slack
     then post on schedule: monitor run
  `monitor config check` checks the config; `monitor rules test` runs the rules' examples."""


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Write a commented monitor.toml and a copy of the shipped rules into DIR (default: .).

    An existing file is never overwritten. Then it says what to do next: the Slack
    token, a channel and its schedule.

    Example:

        monitor init my-monitor && cd my-monitor && monitor scan
    """
    from monitor.shipped import init_project

    target = Path(directory)
    written = init_project(target)
    for item in written:
        click.echo(f"{'wrote' if item.written else 'kept '} {item.path}"
                   + ("" if item.written else " (it exists; not overwritten)"))
    cd = "" if target.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    click.echo(NEXT_STEPS.format(cd=cd, config=target / "monitor.toml"))


@click.group()
def config() -> None:
    """Check the configuration.

    Example:

        monitor config check --config /data/monitor.toml
    """


@config.command()
@config_option
def check(config_path: str | None) -> None:
    """List every problem in the config at once, as file:line: message.

    The same check every command runs before it starts: unknown keys, wrong types,
    schedules, sections, channels naming rules that do not exist, feeds that are neither
    http(s) URLs nor files. Exits 1 when there is a problem.

    Example:

        monitor config check
    """
    from monitor.config import read_config

    loaded, problems = read_config(config_path)
    for problem in problems:
        click.echo(str(problem))
    source = str(loaded.path) if loaded.path else "no config file: the built-in defaults"
    if problems:
        click.echo(f"{plural(len(problems), 'problem')} in {source}")
        raise click.exceptions.Exit(1)
    feeds = plural(len(loaded.feeds), "shipped feed" if loaded.shipped_feeds else "feed")
    channels = plural(len(loaded.channels), "channel") if loaded.channels else \
        "no channels (digests go to the terminal)"
    rules = "the shipped rules" if loaded.shipped_rules else f"the rules in {loaded.rules}/"
    click.echo(f"{source}: no problems · {feeds}, {channels}, {rules}")
