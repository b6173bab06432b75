"""A response body within a cap on what it inflates to, decompressed as it arrives.

httpx's decoders inflate each network chunk in one call, with no limit on the output:
64 KB of a gzip bomb becomes 64 MB in memory before any cap is checked. Here zlib is
asked for at most the room left under the cap at every step, so a bomb stops at the cap
and memory stays within it. gzip and deflate are what the fetcher asks for; a server that
sends another encoding anyway gets one sentence.
"""

from __future__ import annotations

import zlib

import httpx

from monitor.errors import FetchError

_GZIP = zlib.MAX_WBITS | 16
_RAW = -zlib.MAX_WBITS


class _Inflater:
    """Inflates gzip, or deflate with or without its zlib header (servers send both)."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else _GZIP)
        self._started = False

    def inflate(self, data: bytes, room: int) -> tuple[bytes, bytes]:
        """At most `room` bytes out; what of `data` is still to inflate."""
        try:
            out = self._inflate.decompress(data, room)
        except zlib.error:
            if not (self._deflate and not self._started):
                raise
            self._inflate = zlib.decompressobj(_RAW)  # raw deflate, no zlib header
            out = self._inflate.decompress(data, room)
        self._started = True
        return out, self._inflate.unconsumed_tail


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body; raises FetchError past `cap` bytes or for undecodable data."""
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity") and declared.isascii() and declared.isdigit() \
            and int(declared) > cap:
        raise FetchError(too_big(cap))
    inflater = _decoder(encoding)
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        pending = raw
        while pending:
            if inflater is None:
                out, pending = pending, b""
            else:
                try:
                    out, pending = inflater.inflate(pending, cap - size + 1)
                except zlib.error:
                    raise FetchError("the response could not be decompressed (corrupt gzip "
                                     "or deflate data)") from None
            size += len(out)
            if size > cap:
                raise FetchError(too_big(cap))
            chunks.append(out)
    return b"".join(chunks)


def _decoder(encoding: str) -> _Inflater | None:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflater("deflate" if encoding == "deflate" else "gzip")
    raise FetchError(f"the server sent the body in an encoding monitor does not read "
                     f"({encoding[:30]}); only gzip and deflate are asked for")


def too_big(cap: int) -> str:
    return (f"the body is larger than the {cap / 1048576:g} MB cap; raise fetch.max_bytes if "
            "this feed is really that large")


__all__ = ["read_capped", "too_big"]
