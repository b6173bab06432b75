"""`monitor db upgrade` and `monitor db status`: schema migrations by hand."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from monitor.cli.common import config_option, get_config

if TYPE_CHECKING:
    from monitor.migrate import SchemaState


@click.group()
def db() -> None:
    """The store's schema: see where it stands, upgrade it by hand.

    Any command that opens the store also upgrades it; these are for operators who want
    to do it at a time of their choosing.

    Example:

        monitor db status
    """


@db.command("upgrade")
@config_option
def db_upgrade(config_path: str | None) -> None:
    """Upgrade the store to this release's schema; a SQLite file is copied to a backup first.

    Example:

        monitor db upgrade --config /data/monitor.toml
    """
    from monitor import migrate

    done = migrate.upgrade(get_config(config_path).database)
    if done.created:
        click.echo(f"created {done.database} at schema {done.after}")
    elif not done.applied:
        click.echo(f"{done.database} is already at schema {done.after}; nothing to do")
    else:
        click.echo(f"upgraded {done.database} from schema {done.before} to {done.after}:")
        for step in done.applied:
            click.echo(f"  {step}")
        if done.backup is not None:
            click.echo(f"the copy from before the upgrade is {done.backup}")


@db.command("status")
@config_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def db_status(config_path: str | None, fmt: str) -> None:
    """The store's schema revision, this release's newest, and what an upgrade would apply.

    Exits 1 when a newer release of monitor wrote the store.

    Example:

        monitor db status --format json
    """
    from monitor import migrate

    state = migrate.status(get_config(config_path).database)
    if fmt == "json":
        click.echo(json.dumps(asdict(state) | {"verdict": state.verdict}, indent=2))
    else:
        click.echo("\n".join(_lines(state)))
    if state.verdict == "newer":
        raise click.exceptions.Exit(1)


def _lines(state: SchemaState) -> list[str]:
    made = " (made before Alembic, by release 0.1.0 or earlier)" if state.before_alembic else ""
    verdict = {
        "new": "new: no store yet; the first command that opens it creates it",
        "current": "up to date",
        "behind": f"behind: {len(state.pending)} revision(s) to apply with `monitor db "
                  "upgrade` (any command that opens the store applies them too)",
        "newer": "written by a newer release of monitor: upgrade monitor to use it",
    }[state.verdict]
    lines = [f"database  {state.database}", f"schema    {state.current or '-'}{made}",
             f"newest    {state.head}", f"state     {verdict}"]
    return lines + [f"  {step}" for step in state.pending]
