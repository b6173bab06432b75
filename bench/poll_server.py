"""The poll benchmark's feed server: N feeds on 127.0.0.1, in a process of its own.

Each feed is at /feed/<n>.xml, gzip-encoded when the client accepts it, with an ETag and a
Last-Modified date and 304 answers to matching conditional requests. Validators can be
switched off (then neither are sent nor honoured, as on many small sites). The benchmark
steers the server with GET requests under /_bench/:

    /_bench/set?validators=0|1      validators on or off
    /_bench/change?fraction=F&round=R  add one new item to a fraction F of the feeds
    /_bench/reset                   the feeds as they were at the start
    /_bench/stats                   JSON: answers by status since the last call, feed sizes

It is a bare asyncio HTTP/1.1 server rather than http.server so that serving a thousand
requests costs the benchmark machine little next to the client being measured.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from feedgen import build_feeds, with_new_item


@dataclass
class Version:
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: str


def _version(body: bytes, serial: int) -> Version:
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    # Level 6 is what web servers use on the fly; done once here, not per request.
    return Version(body, gzip.compress(body, 6), etag,
                   formatdate(1_795_000_000 + serial * 60, usegmt=True))


class FeedSite:
    """The feeds and the switches; `answer` turns one request into one response."""

    def __init__(self, bodies: list[bytes], seed: int) -> None:
        self.versions = [_version(b, 0) for b in bodies]
        self.original = list(self.versions)
        self.validators = True
        self.seed = seed
        self.counts: Counter[int] = Counter()

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(path)
        if url.path.startswith("/_bench/"):
            return 200, {"Content-Type": "application/json"}, self.control(url.path, url.query)
        name = url.path.removeprefix("/feed/").removesuffix(".xml")
        if not url.path.startswith("/feed/") or not name.isdigit() or \
                int(name) >= len(self.versions):
            self.counts[404] += 1
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return self.feed(self.versions[int(name)], headers)

    def feed(self, version: Version, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        out = {"Content-Type": "application/xml; charset=utf-8"}
        if self.validators:
            out |= {"ETag": version.etag, "Last-Modified": version.last_modified}
            tag, since = headers.get("if-none-match"), headers.get("if-modified-since")
            if (tag and tag == version.etag) or (not tag and since == version.last_modified):
                self.counts[304] += 1
                return 304, out, b""
        self.counts[200] += 1
        if "gzip" in headers.get("accept-encoding", ""):
            return 200, out | {"Content-Encoding": "gzip"}, version.gzipped
        return 200, out, version.body

    def control(self, path: str, query: str) -> bytes:
        args = {k: v[0] for k, v in parse_qs(query).items()}
        if path == "/_bench/set":
            self.validators = args.get("validators", "1") == "1"
        elif path == "/_bench/reset":
            self.versions = list(self.original)
        elif path == "/_bench/change":
            self.change(float(args.get("fraction", "0.05")), int(args.get("round", "1")))
        elif path == "/_bench/stats":
            stats = {"counts": dict(self.counts), "sizes": [len(v.body) for v in self.versions]}
            self.counts.clear()
            return json.dumps(stats).encode()
        return b'{"ok": true}'

    def change(self, fraction: float, serial: int) -> None:
        count = round(len(self.versions) * fraction)
        chosen = random.Random(self.seed * 31 + serial).sample(range(len(self.versions)), count)
        for n in chosen:
            body = with_new_item(self.versions[n].body, n, serial, self.seed)
            self.versions[n] = _version(body, serial)


async def _handle(site: FeedSite, reader: asyncio.StreamReader,
                  writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip()
                       for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            status, out, body = site.answer(path, headers)
            close = headers.get("connection", "").lower() == "close"
            lines = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Other'}",
                     *(f"{k}: {v}" for k, v in out.items()),
                     f"Content-Length: {len(body)}",
                     f"Connection: {'close' if close else 'keep-alive'}"]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


async def _serve(site: FeedSite, port: int, ready: Connection) -> None:
    server = await asyncio.start_server(lambda r, w: _handle(site, r, w), "127.0.0.1", port,
                                        backlog=1024)
    ready.send(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def run(count: int, seed: int, feeds_dir: str | None, port: int, ready: Connection) -> None:
    """Build the feeds, send the port (`port`, or any free one for 0) through `ready`, and
    serve until killed."""
    bodies = build_feeds(count, seed, Path(feeds_dir) if feeds_dir else None)
    asyncio.run(_serve(FeedSite(bodies, seed), port, ready))
