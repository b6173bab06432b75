"""OPML 2.0 feed lists: read (import) and write (export)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from monitor.errors import ConfigError
from monitor.model import Feed


def read_opml(path: Path) -> list[Feed]:
    """Every outline with an xmlUrl, in document order (nested folders included)."""
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise ConfigError(f"{path}: the OPML file does not exist") from None
    except ET.ParseError as exc:
        line = exc.position[0]
        raise ConfigError(f"{path}:{line}: not valid OPML (XML error: {exc}); export the "
                          "list again from your reader") from None
    if root.tag != "opml":
        raise ConfigError(f"{path}: not an OPML file (the root element is <{root.tag}>)")
    feeds = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            name = outline.get("title") or outline.get("text") or ""
            feeds.append(Feed(url, name.strip()))
    return feeds


def write_opml(feeds: Iterable[Feed], *, title: str, now: datetime) -> str:
    """An OPML 2.0 document listing the feeds."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        name = feed.name or feed.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
