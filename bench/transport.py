"""The CPU cost of one 304 through the fetcher's transport, against httpx's defaults, in one run.

A loopback server in another process answers every request with a 304 on kept-alive
connections; 16 requests are in flight at a time, as in a poll cycle. Each client sends
the same conditional GETs and the script prints CPU milliseconds per request:

  - httpx's default transport (httpcore on its anyio network backend): the baseline;
  - ours: `RoutedTransport` (httpcore on the asyncio backend in monitor/sources/network.py);
  - ours under an `httpx.AsyncClient` (the client layer the fetcher leaves out).

    python bench/transport.py [--requests 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.sources.transport import RoutedTransport  # noqa: E402

SERVER = """
import asyncio
ANSWER = (b'HTTP/1.1 304 Not Modified\\r\\nETag: "abcdef0123456789"\\r\\n'
          b'Last-Modified: Wed, 25 Nov 2026 10:00:00 GMT\\r\\n\\r\\n')
async def handle(reader, writer):
    try:
        while True:
            await reader.readuntil(b'\\r\\n\\r\\n')
            writer.write(ANSWER)
    except Exception:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
"""
HEADERS = {"User-Agent": "monitor-bench", "Accept-Encoding": "gzip, deflate",
           "If-None-Match": '"abcdef0123456789"',
           "If-Modified-Since": "Wed, 25 Nov 2026 10:00:00 GMT"}
TIMEOUTS = {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 20.0}


async def _through_transport(transport: httpx.AsyncBaseTransport, url: str, count: int) -> float:
    slots = asyncio.Semaphore(16)

    async def one(n: int) -> None:
        async with slots:
            request = httpx.Request("GET", f"{url}?{n}", headers=HEADERS,
                                    extensions={"timeout": TIMEOUTS})
            response = await transport.handle_async_request(request)
            await response.aread()
            await response.aclose()
            assert response.status_code == 304

    await asyncio.gather(*(one(n) for n in range(200)))  # connections up, code warm
    started = time.process_time()
    await asyncio.gather(*(one(n) for n in range(count)))
    await transport.aclose()
    return (time.process_time() - started) / count * 1000


async def _through_client(url: str, count: int) -> float:
    slots = asyncio.Semaphore(16)
    async with httpx.AsyncClient(transport=RoutedTransport(connections=16),
                                 trust_env=False) as client:
        async def one(n: int) -> None:
            async with slots:
                response = await client.get(f"{url}?{n}", headers=HEADERS)
                assert response.status_code == 304

        await asyncio.gather(*(one(n) for n in range(200)))
        started = time.process_time()
        await asyncio.gather(*(one(n) for n in range(count)))
        return (time.process_time() - started) / count * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    count = parser.parse_args().requests
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/feed.xml"
        default = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=16))
        baseline = asyncio.run(_through_transport(default, url, count))
        ours = asyncio.run(_through_transport(RoutedTransport(connections=16), url, count))
        client = asyncio.run(_through_client(url, count))
    finally:
        server.terminate()
    print(f"CPU per 304, {count:,} requests, 16 in flight:")
    print(f"  httpx's default transport (httpcore + anyio)  {baseline:6.3f} ms   1.0x")
    print(f"  ours (httpcore + asyncio backend)             {ours:6.3f} ms   "
          f"{baseline / ours:.1f}x faster")
    print(f"  ours under httpx.AsyncClient                  {client:6.3f} ms   "
          f"+{client - ours:.3f} ms for the client layer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
