"""`monitor extract` and `monitor summarise`: what the rules see of a page, and its summary."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

import click

from monitor.cli.common import config_option, get_config

if TYPE_CHECKING:
    from monitor.cli.inputs import Input
    from monitor.config import Config
    from monitor.store import Store
    from monitor.summarise import Summariser


def make_summariser(config: Config, store: Store | None) -> Summariser:
    """Extractive, unless an OpenAI-compatible endpoint is configured (MONITOR_LLM_URL and
    MONITOR_LLM_MODEL); LLM answers are cached in the store by content hash."""
    from monitor.sources.proxy import proxy_for
    from monitor.store import StoreCache
    from monitor.summarise import ExtractiveSummariser
    from monitor.summarise.llm import LLMSummariser

    extractive = ExtractiveSummariser()
    if not (config.llm_url and config.llm_model):
        return extractive
    cache: MutableMapping[str, str] = StoreCache(store) if store is not None else {}
    return LLMSummariser(config.llm_url, config.llm_model, config.llm_api_key, cache=cache,
                         fallback=extractive, proxy=proxy_for(config.llm_url, config.fetch.proxy))


def _base(entry: Input) -> dict[str, Any]:
    from monitor.report import iso

    return {"input": entry.input, "title": entry.title or None,
            "published": iso(entry.published)}


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="(URL | PATH)...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@config_option
def extract(inputs: tuple[str, ...], fmt: str, config_path: str | None) -> None:
    """Print what the rules see of each page: title, date, source and main text.

    Inputs are URLs or files (HTML or text, `.gz` read decompressed). A page that cannot
    be read gets one line saying why; the others still print. Exits 1 if any failed.

    Example:

        monitor extract https://example.org/news/ai-gigafactories --format json
    """
    from monitor.cli.inputs import read_inputs
    from monitor.report import iso

    entries = read_inputs(inputs, get_config(config_path))
    if fmt == "json":
        click.echo(json.dumps([_base(e) | {"text": e.text if not e.error else None,
                                           "error": e.error} for e in entries],
                              ensure_ascii=False, indent=2))
    else:
        for index, e in enumerate(entries):
            click.echo(("\n" if index else "") + f"== {e.input}")
            if e.error:
                click.echo(f"error: {e.error}")
                continue
            click.echo(f"title: {e.title}\ndate: {iso(e.published) or 'unknown'}\n"
                       f"source: {e.source or 'unknown'}\n\n{e.text}")
    if any(e.error for e in entries):
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="(URL | PATH | -)...")
@click.option("--sentences", default=3, show_default=True, type=click.IntRange(1, 20),
              help="At most this many sentences.")
@click.option("--chars", default=600, show_default=True, type=click.IntRange(40, 10_000),
              help="At most this many characters.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@config_option
def summarise(inputs: tuple[str, ...], sentences: int, chars: int, fmt: str,
              config_path: str | None) -> None:
    """Summarise articles in a few whole sentences (extractive; an LLM when configured).

    Inputs are URLs, files (HTML or text, `.gz` too) or `-` for standard input. Exits 1
    if any input could not be read.

    Example:

        monitor summarise article.html --sentences 2
    """
    from monitor.cli.inputs import read_inputs

    config = get_config(config_path)
    summariser = make_summariser(config, None)
    entries = read_inputs(inputs, config)
    results: list[tuple[Input, str | None, str | None]] = []
    for e in entries:
        if e.error:
            results.append((e, None, None))
            continue
        summary = summariser.summarise(e.text, title=e.title, sentences=sentences, budget=chars)
        results.append((e, summary.text, summary.note))
    if fmt == "json":
        click.echo(json.dumps([_base(e) | {"summary": s, "error": e.error}
                               for e, s, _ in results], ensure_ascii=False, indent=2))
    else:
        for index, (e, s, note) in enumerate(results):
            click.echo(("\n" if index else "") + f"== {e.input}" +
                       (f"\n{e.title}" if e.title else ""))
            click.echo(f"error: {e.error}" if e.error else s or "(no summary: no sentences)")
            if note:
                click.echo(f"note: {note}", err=True)
    if any(e.error for e in entries):
        raise click.exceptions.Exit(1)
