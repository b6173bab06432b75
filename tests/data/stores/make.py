"""Make a fixture store with the code of an earlier release (see README.md beside this file).

Run it with an older checkout first on the path, so `import monitor` is that code:

    git worktree add /tmp/monitor-0.1.0 454fdfe
    PYTHONPATH=/tmp/monitor-0.1.0 python tests/data/stores/make.py tests/data/stores/0.1.0.db

It serves a generated feed on a loopback port, runs that release's `monitor scan` on it
(feeds, articles, matches), and, where that release has an outbox, builds two digests with
its own posting code: one printed to the console (sent, its stories posted) and one for a
Slack channel left pending with part 1 accepted and the rest not yet sent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PLACES = ["Lulea", "Halden", "Dublin", "Lyon", "Porto", "Turin", "Aarhus", "Gdansk", "Brno",
          "Tartu", "Cork", "Ghent", "Malmo", "Bergen", "Espoo", "Leipzig", "Graz", "Split",
          "Varna", "Kaunas", "Riga", "Bilbao", "Nantes", "Utrecht"]
COMPANIES = ["Nordvik", "Fjellkraft", "Aurelia", "Quantix", "Helion", "Borealis", "Cygnet",
             "Dravon", "Eskerfield", "Falkor", "Gantry", "Hollow Peak", "Ironbark", "Juniper",
             "Kestrel", "Lumen", "Meridian", "Norland", "Obsidian", "Pinnacle", "Quarry",
             "Ravel", "Sable", "Tamsin"]


def feed_xml(now: datetime) -> str:
    """An RSS feed of distinct AI-infrastructure stories (one per place) and two others."""
    items = []
    for n, (place, company) in enumerate(zip(PLACES, COMPANIES, strict=True)):
        when = (now - timedelta(hours=n + 1)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        items.append(
            f"<item><title>{company} plans an AI gigafactory in {place}</title>"
            f"<link>https://fixture.example/news/{n}</link><guid>fixture-{n}</guid>"
            f"<pubDate>{when}</pubDate><description>{company} will build a data centre in "
            f"{place} with {(n + 2) * 1000} GPUs to train AI models.</description></item>")
    items.append("<item><title>Tesla opens a battery gigafactory near Berlin</title>"
                 "<link>https://fixture.example/news/battery</link><guid>fixture-battery</guid>"
                 "<description>Cells for cars.</description></item>")
    items.append("<item><title>Local bakery wins a prize</title>"
                 "<link>https://fixture.example/news/bakery</link><guid>fixture-bakery</guid>"
                 "<description>Bread.</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Fixture Compute News</title><link>https://fixture.example/</link>"
            "<description>fixture</description><ttl>45</ttl>" + "".join(items)
            + "</channel></rss>")


def scan(old: Path, feed_url: str, database: Path) -> None:
    """The old release's own `monitor scan`, storing into `database`."""
    env = os.environ | {"MONITOR_DB": str(database), "PYTHONPATH": str(old)}
    command = [sys.executable, "-m", "monitor", "scan", "--feed", feed_url, "--rules",
               str(old / "tests" / "data" / "rules"), "--format", "json"]
    helps = subprocess.run([*command[:4], "--help"], cwd=old, env=env, check=True,
                           capture_output=True, text=True).stdout
    if "--no-full-text" in helps:  # the article links lead nowhere: fetch no pages
        command.append("--no-full-text")
    subprocess.run(command, cwd=old, env=env, check=True, stdout=subprocess.DEVNULL)


def digests(database: Path, now: datetime) -> None:
    """A sent console digest and a pending Slack digest, made by the old posting code."""
    from monitor.config import Channel, load_config
    from monitor.outbox import Outbox
    from monitor.posting import console_channel, gather, prepare, record
    from monitor.store import Store

    config = load_config(None, {"MONITOR_DB": str(database)})
    store = Store(config.database)
    outbox = Outbox(store)
    console = console_channel()
    items = gather(store, console, None, now, lambda item: item)
    try:
        sent = record(store, prepare(console, items, now=now, since=None, outbox=outbox,
                                     mode=None, config=config), now)
    except Exception as exc:  # a108d70 could not store a digest without parts yet
        print(f"no console digest with this release: {exc.__class__.__name__}", file=sys.stderr)
    else:
        assert sent is not None
        outbox.mark_delivered(sent, now)
    slack = Channel(name="ai-infra", slack_channel="#ai-infra", max_stories=40, per_source=40)
    prepared = prepare(slack, gather(store, slack, None, now, lambda item: item), now=now,
                       since=None, outbox=outbox, mode="bot", config=config)
    assert len(prepared.parts) >= 2, "the Slack digest should need more than one message"
    pending = record(store, prepared, now)
    assert pending is not None
    outbox._mark(pending, 1, "1764147600.000100", now)
    store.close()


def main(out: Path) -> None:
    import monitor

    old = Path(monitor.__file__).resolve().parent.parent
    if out.exists():
        out.unlink()
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "compute.xml").write_text(feed_xml(now), encoding="utf-8")
        handler = partial(SimpleHTTPRequestHandler, directory=tmp)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            scan(old, f"http://127.0.0.1:{server.server_port}/compute.xml", out.resolve())
        finally:
            server.shutdown()
    try:
        import monitor.outbox  # releases before the outbox have no digests
    except ImportError:
        return
    digests(out.resolve(), datetime.now(UTC))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
