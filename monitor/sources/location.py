"""Where a feed can be read from: an http(s) URL, or a local file (`file:` URLs too)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# "www.hpcwire.com/feed" or "hpcwire.com": a host name, then optionally a path
_HOST_LIKE = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/\S*)?$")


def local_path(value: str, base: Path | None = None) -> Path:
    """The file a non-http feed location names, relative paths taken from `base`."""
    path = Path(value[len("file://"):] if value.startswith("file://") else value).expanduser()
    return base / path if base is not None and not path.is_absolute() else path


def location_problem(value: str, base: Path | None = None) -> str | None:
    """One sentence when `value` can be neither fetched nor read; None when it can.

    http(s) URLs need a host; anything else must name a file that exists.
    """
    value = value.strip()
    scheme = _SCHEME.match(value)
    if scheme and scheme[1].lower() in ("http", "https"):
        return None if urlsplit(value).hostname else f"{value}: the URL has no host name"
    if scheme and scheme[1].lower() != "file":
        return (f"{value}: {scheme[1]}:// is not supported; feeds are read over http(s) "
                "or from local files")
    if local_path(value, base).is_file():
        return None
    if not scheme and _HOST_LIKE.match(value):
        return (f"{value}: not an http(s) URL, and no such file; did you mean "
                f"https://{value}?")
    return f"{value}: the file does not exist; check the path"
