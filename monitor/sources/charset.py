"""The text of an HTML body, decoded as browsers do: byte-order mark, HTTP charset, <meta>."""

from __future__ import annotations

import codecs
import re

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))
# The HTML standard reads these labels as windows-1252, which browsers do too.
WINDOWS_1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"}
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """Text of an HTML body: byte-order mark, then HTTP charset, then <meta>, then UTF-8."""
    for bom, bom_codec in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(bom_codec, "replace")
    codec = _codec(charset) if charset else None
    if codec is None:
        found = _META_CHARSET.search(data[:4096])
        meta = _codec(found[1].decode("ascii")) if found else None
        # A <meta> readable as ASCII cannot really be UTF-16; the standard says UTF-8.
        codec = "utf-8" if meta and meta.startswith("utf-16") else meta
    if codec is not None:
        try:
            return data.decode(codec, "replace")
        except LookupError:
            pass  # a declared codec that is not a text encoding ("base64", "rot13")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")  # what browsers assume for unlabelled pages


def _codec(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    if label in WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_param(content_type: str) -> str | None:
    """The `charset` parameter of a Content-Type header, unquoted; None when it has none."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
