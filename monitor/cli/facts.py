"""`monitor facts`: the figures and names an article states (power, money, GPUs, who, where),
or with --stored, one row per stored story for a spreadsheet or a script."""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.common import config_option, get_config, now, open_store, since_option

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.tracker import StoredStory

INPUT_FORMATS = ("text", "json")
STORED_FORMATS = ("table", "csv", "json")
CSV_COLUMNS = ["date", "title", "url", "sources", "power_mw", "investment", "gpus", "chips",
               "companies", "places", "status"]


@click.command()
@click.argument("inputs", nargs=-1, metavar="[URL | PATH | -]...")
@click.option("--stored", is_flag=True,
              help="One row per story in the store (date, title, link, its facts) instead.")
@click.option("--since", metavar="7d|24h|all",
              help="With --stored: the stories first seen within this window (default 7d).")
@click.option("--format", "fmt", type=click.Choice([*INPUT_FORMATS, "table", "csv"]),
              help="For inputs: text (default) or json. With --stored: table (default), "
                   "csv or json.")
@config_option
def facts(inputs: tuple[str, ...], stored: bool, since: str | None, fmt: str | None,
          config_path: str | None) -> None:
    """Print the facts each article states: capacity in MW, investment, GPU counts, chip
    models, companies, places and the project's stage.

    Inputs are URLs, files (HTML or text, `.gz` too) or `-` for standard input. The rules
    read them offline; with MONITOR_LLM_URL and MONITOR_LLM_MODEL set, the model may add
    facts, and only those the text itself states are kept. Exits 1 if any input could not
    be read.

    With --stored, no inputs: one row per story of the matches stored in the window, its
    articles' facts merged, oldest first; a table on a terminal (tab-separated when
    piped), CSV with a header row (lists joined with "; ", money as "USD 27000000000"),
    or JSON.

    Example:

    \b
        monitor facts article.html --format json
        monitor facts --stored --since 7d --format csv > week.csv
    """
    _check_usage(inputs, stored, since, fmt)
    config = get_config(config_path)
    if stored:
        _print_stored(config, since or "7d", fmt or "table")
    else:
        _print_inputs(config, inputs, fmt or "text")


def _check_usage(inputs: tuple[str, ...], stored: bool, since: str | None,
                 fmt: str | None) -> None:
    if stored and inputs:
        raise click.UsageError("--stored reads the store, not inputs: give it no URL, PATH "
                               "or -, or drop --stored")
    if not stored and not inputs:
        raise click.UsageError("give one or more inputs (URL, PATH or -), or --stored for the "
                               "stories in the store")
    if not stored and since is not None:
        raise click.UsageError("--since goes with --stored")
    allowed = STORED_FORMATS if stored else INPUT_FORMATS
    if fmt is not None and fmt not in allowed:
        what = "--stored" if stored else "inputs"
        raise click.UsageError(f"--format {fmt} does not go with {what}; use "
                               f"{' or '.join(allowed)}")


def _print_inputs(config: Config, inputs: tuple[str, ...], fmt: str) -> None:
    # Imported here so that `monitor --help` does not load the extractor and HTTP stack.
    from monitor.cli.inputs import read_inputs
    from monitor.factfinder import fact_finder
    from monitor.report import iso

    entries = read_inputs(inputs, config)
    results: list[dict[str, Any]] = []
    with fact_finder(config) as finder:
        for e in entries:
            found, note = finder.facts(e.title, e.text) if not e.error else (None, None)
            results.append({"input": e.input, "title": e.title or None,
                            "published": iso(e.published), "facts": found, "error": e.error,
                            "note": note})
    if fmt == "json":
        click.echo(json.dumps([{k: (v.to_json() if k == "facts" and v is not None else v)
                                for k, v in r.items() if k != "note"} for r in results],
                              ensure_ascii=False, indent=2))
    else:
        _print_text(results)
    for r in results:
        if r["note"]:
            click.echo(f"note: {r['input']}: {r['note']}", err=True)
    if any(e.error for e in entries):
        raise click.exceptions.Exit(1)


def _print_text(results: list[dict[str, Any]]) -> None:
    from monitor.facts.render import fact_line, fact_rows

    for index, r in enumerate(results):
        click.echo(("\n" if index else "") + f"== {r['input']}" +
                   (f"\n{r['title']}" if r["title"] else ""))
        if r["error"]:
            click.echo(f"error: {r['error']}")
            continue
        for field, value in fact_rows(r["facts"]):
            click.echo(f"{field + ':':<12}{value}")
        click.echo(f"{'line:':<12}{fact_line(r['facts']) or '-'}")


def _print_stored(config: Config, since: str, fmt: str) -> None:
    from monitor.tracker import stored_stories

    window = since_option(since)
    stamp = now()
    store = open_store(config)
    try:
        rows = stored_stories(store, since=stamp - window if window else None, until=stamp)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps([_json_row(r, config.zone) for r in rows], ensure_ascii=False,
                              indent=2))
    elif fmt == "csv":
        _print_csv(rows, config.zone)
    elif rows:
        _print_table(rows, config.zone)
    else:
        span = f"in the last {since}" if window else "at all"
        click.echo(f"No stored stories {span}; `monitor scan` or `monitor run` stores them.",
                   err=True)


def _date(row: StoredStory, zone: tzinfo) -> str:
    return row.date.astimezone(zone).date().isoformat()


def _json_row(row: StoredStory, zone: tzinfo) -> dict[str, Any]:
    from monitor.facts.render import key_figures
    from monitor.report import iso

    lead = row.story.lead.article
    return {"date": _date(row, zone), "first_told": iso(row.date), "story": row.story.id,
            "title": lead.title, "url": lead.url, "sources": list(row.story.sources),
            "facts": row.facts.to_json(), "figures": key_figures(row.facts) or None}


def _print_csv(rows: list[StoredStory], zone: tzinfo) -> None:
    import csv
    import sys

    from monitor.facts.render import csv_cells

    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        lead = row.story.lead.article
        writer.writerow({"date": _date(row, zone), "title": lead.title, "url": lead.url,
                         "sources": "; ".join(row.story.sources), **csv_cells(row.facts)})


def _print_table(rows: list[StoredStory], zone: tzinfo) -> None:
    """Date, title, the key figures on one line (as a digest shows them), link; CSV and
    JSON carry every field."""
    from monitor.cli.common import print_table
    from monitor.facts.render import fact_line

    print_table(["date", "title", "figures", "link"],
                [[_date(row, zone), row.story.lead.article.title, fact_line(row.facts) or "-",
                  row.story.lead.article.url] for row in rows])
