"""`monitor facts`: the figures and names an article states (power, money, GPUs, who, where)."""

from __future__ import annotations

import json
from typing import Any

import click

from monitor.cli.common import config_option, get_config


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="(URL | PATH | -)...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@config_option
def facts(inputs: tuple[str, ...], fmt: str, config_path: str | None) -> None:
    """Print the facts each article states: capacity in MW, investment, GPU counts, chip
    models, companies, places and the project's stage.

    Inputs are URLs, files (HTML or text, `.gz` too) or `-` for standard input. The rules
    read them offline; with MONITOR_LLM_URL and MONITOR_LLM_MODEL set, the model may add
    facts, and only those the text itself states are kept. Exits 1 if any input could not
    be read.

    Example:

        monitor facts article.html --format json
    """
    # Imported here so that `monitor --help` does not load the extractor and HTTP stack.
    from monitor.cli.inputs import read_inputs
    from monitor.factfinder import fact_finder
    from monitor.report import iso

    config = get_config(config_path)
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
