"""Benchmark article extraction against plain HTML-to-text of the whole page, in one process.

`extract_page` (trafilatura, metadata, fallbacks) is what enrichment runs per article;
`html_to_text` of the whole page is the cheap baseline that keeps navigation, comments
and banners. The ratio shows what finding the article costs. Run on one core:

    python bench/extract.py                       # the pages in tests/data/pages/
    python bench/extract.py --pages ~/saved-pages --repeat 5
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.sources.charset import decode_html  # noqa: E402
from monitor.sources.extract import extract_page  # noqa: E402
from monitor.sources.text import html_to_text  # noqa: E402

FIXTURES = ROOT / "tests" / "data" / "pages"


def load_pages(extra: Path | None) -> list[tuple[str, bytes]]:
    """The test pages, plus every *.html under `extra` when given."""
    paths = sorted(FIXTURES.glob("*.html"))
    if extra is not None:
        paths += sorted(extra.rglob("*.html"))
    return [(path.name, path.read_bytes()) for path in paths]


def ours(name: str, body: bytes) -> int:
    page = extract_page(body, url=f"https://bench.example/{name}")
    return len(page.text)


def baseline(name: str, body: bytes) -> int:
    return len(html_to_text(decode_html(body)))


def timed(run: Callable[[str, bytes], int], pages: Sequence[tuple[str, bytes]],
          repeat: int) -> tuple[float, int]:
    """Best wall time of `repeat` passes over all pages, and the characters of text kept."""
    best, kept = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        kept = sum(run(name, body) for name, body in pages)
        best = min(best, time.perf_counter() - started)
    return best, kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, help="a directory of saved *.html pages to add")
    parser.add_argument("--repeat", type=int, default=10, help="passes; the best one counts")
    args = parser.parse_args(argv)
    pages = load_pages(args.pages)
    if not pages:
        print("no pages found", file=sys.stderr)
        return 1
    megabytes = sum(len(body) for _, body in pages) / 1e6
    ours(*pages[0])  # the first call loads trafilatura's word lists; keep it out of timing
    print(f"{len(pages)} pages, {megabytes:.2f} MB, best of {args.repeat} passes")
    results = {}
    for label, run in (("html_to_text (whole page)", baseline), ("extract_page", ours)):
        seconds, kept = timed(run, pages, args.repeat)
        results[label] = seconds
        print(f"{label:27} {len(pages) / seconds:9.1f} pages/s {megabytes / seconds:8.2f} MB/s"
              f"  {seconds * 1000 / len(pages):7.2f} ms/page  {kept:9,} chars kept")
    ratio = results["extract_page"] / results["html_to_text (whole page)"]
    print(f"extract_page takes {ratio:.1f}x the time of html_to_text")
    failures = [name for name, body in pages
                if extract_page(body, url=f"https://bench.example/{name}").error]
    print(f"pages without article text: {len(failures)} of {len(pages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
