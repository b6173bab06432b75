"""Bodies inflated within the cap, a piece at a time, whatever the server's encoding."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from monitor.errors import FetchError
from monitor.sources.body import read_capped

TEXT = b"<rss>" + b"AI data centre news. " * 500 + b"</rss>"


def response(body: bytes, encoding: str = "", **headers: str) -> httpx.Response:
    if encoding:
        headers["content-encoding"] = encoding
    return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(("body", "encoding"), [
    (TEXT, ""), (TEXT, "identity"), (gzip.compress(TEXT), "gzip"),
    (gzip.compress(TEXT), "x-gzip"), (zlib.compress(TEXT), "deflate"),
    (raw_deflate(TEXT), "deflate"), (gzip.compress(TEXT), " GZIP "),
])
async def test_every_encoding_asked_for_is_read(body: bytes, encoding: str) -> None:
    assert await read_capped(response(body, encoding), 1 << 20) == TEXT


async def test_a_bomb_stops_at_the_cap_without_inflating_past_it() -> None:
    bomb = gzip.compress(b"\0" * (64 << 20), 9)
    with pytest.raises(FetchError, match="larger than the 1 MB cap"):
        await read_capped(response(bomb, "gzip"), 1 << 20)


async def test_a_declared_length_past_the_cap_is_refused_before_reading() -> None:
    with pytest.raises(FetchError, match="cap"):
        await read_capped(response(b"x" * 10, **{"content-length": str(10 << 20)}), 1 << 20)


async def test_exactly_the_cap_is_allowed() -> None:
    assert len(await read_capped(response(gzip.compress(b"y" * 4096), "gzip"), 4096)) == 4096


@pytest.mark.parametrize(("body", "encoding", "words"), [
    (b"\x1f\x8b\x08\x00 not deflate data", "gzip", "could not be decompressed"),
    (b"not deflate either", "deflate", "could not be decompressed"),
    (b"(compressed)", "br", "an encoding monitor does not read (br)"),
])
async def test_undecodable_bodies_are_one_sentence(body: bytes, encoding: str,
                                                   words: str) -> None:
    with pytest.raises(FetchError) as caught:
        await read_capped(response(body, encoding), 1 << 20)
    assert words in str(caught.value)
