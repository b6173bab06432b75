"""Reading what a user points a command at: a URL, a file (HTML or text, `.gz` too) or `-`.

URLs typed on the command line are the user's own choice and are fetched as asked
(with the usual limits); the address guard is for links that come from feeds.
"""

from __future__ import annotations

import asyncio
import gzip
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitor.config import Config
from monitor.model import Page
from monitor.sources.extract import extract_page, fetch_page
from monitor.sources.fetch import Fetcher
from monitor.sources.text import normalise
from monitor.sources.urls import is_http_url


@dataclass(frozen=True, slots=True)
class Input:
    """What the rules (and summaries) see of one input, or why there is nothing."""

    input: str
    url: str = ""
    title: str = ""
    text: str = ""
    published: datetime | None = None
    source: str = ""
    error: str | None = None


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or \
        b"<html" in head or b"<p>" in head or b"<div" in head


def from_page(value: str, page: Page) -> Input:
    return Input(value, page.url, page.title, page.text, page.published, page.source,
                 page.error)


def from_bytes(value: str, data: bytes, url: str = "") -> Input:
    """HTML goes through the extractor; plain text is title (first line) and body."""
    if looks_like_html(data):
        return from_page(value, extract_page(data, url=url or value))
    text = normalise(data.decode("utf-8", errors="replace"))
    title, _, body = text.partition("\n")
    return Input(value, url, title.strip(), body.strip() or title.strip())


def _read_local(value: str) -> Input:
    if value == "-":
        return from_bytes("-", sys.stdin.buffer.read())
    path = Path(value).expanduser()
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except FileNotFoundError:
        return Input(value, error="the file does not exist; check the path")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return Input(value, error=f"the file cannot be read ({exc})")
    return from_bytes(value, data, url=path.resolve().as_uri())


async def _read_urls(urls: Sequence[str], config: Config) -> dict[str, Input]:
    async with Fetcher(config.fetch) as fetcher:
        pages = await asyncio.gather(*(fetch_page(fetcher, url, guard=None) for url in urls))
    return {url: from_page(url, page) for url, page in zip(urls, pages, strict=True)}


def read_inputs(values: Sequence[str], config: Config) -> list[Input]:
    """Each input in order; URLs fetched concurrently with one client."""
    urls = [v for v in values if is_http_url(v)]
    fetched = asyncio.run(_read_urls(urls, config)) if urls else {}
    return [fetched[v] if v in fetched else _read_local(v) for v in values]


def read_input(value: str, config: Config) -> Input:
    (single,) = read_inputs([value], config)
    return single
