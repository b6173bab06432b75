"""Article extraction from saved pages, and fetching pages on loopback behind the guard.

Each page in tests/data/pages/ sits beside a .json file with what must come out of it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import trafilatura
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.model import Page
from monitor.sources.charset import decode_html
from monitor.sources.extract import NO_ARTICLE, extract_page, fetch_page
from monitor.sources.fetch import Fetcher, FetchSettings
from monitor.sources.guard import AddressGuard
from tests.fakes import FakeResolver
from tests.feedserver import FeedServer, Route

PAGES = Path(__file__).parent.parent / "data" / "pages"
FAST = FetchSettings(timeout=3.0, connect_timeout=1.0, max_bytes=64 * 1024)
NEWS = (PAGES / "news.html").read_bytes()


def expected(name: str) -> dict[str, Any]:
    return dict(json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES.glob("*.html")))
def test_saved_pages(name: str) -> None:
    want = expected(name)
    page = extract_page((PAGES / f"{name}.html").read_bytes(), url=want["url"])
    assert page.url == want["url"]
    assert page.title == want["title"]
    assert page.source == want["source"]
    published = page.published.isoformat() if page.published else None
    assert published == want["published"]
    if want["error"] is None:
        assert page.error is None
        assert page.text.startswith(want["starts"])
    else:
        assert want["error"] in (page.error or "") and page.text == ""
    for phrase in want["contains"]:
        assert phrase in page.text
    for phrase in want["excludes"]:
        assert phrase not in page.text, phrase


def test_the_text_does_not_repeat_the_headline() -> None:
    page = extract_page(NEWS, url="https://gridledger.example/a")
    assert not page.text.startswith(page.title)
    assert "Power is the bottleneck" in page.text  # a subheading inside the article stays


def test_the_fallback_alone_keeps_out_navigation_comments_and_banner(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    want = expected("news")
    page = extract_page(NEWS, url=want["url"])
    assert page.error is None and page.text.startswith(want["starts"])
    for phrase in want["contains"][1:]:
        assert phrase in page.text
    for phrase in want["excludes"]:
        assert phrase not in page.text, phrase


def test_when_nothing_finds_an_article_the_error_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    page = extract_page((PAGES / "home.html").read_bytes(), url="https://gridledger.example/")
    assert page.error == NO_ARTICLE and page.text == ""
    assert page.title == "The Grid Ledger"


def test_trafilatura_teasers_shorter_than_an_article_are_not_an_article() -> None:
    html = "<html><head><title>Welcome</title></head><body><h1>Our home</h1><p>Not a feed.</p>"
    page = extract_page(html + "</body></html>", url="https://www.site.example/")
    assert page.error == NO_ARTICLE and page.source == "site.example"


@pytest.mark.parametrize("markup", [
    b"", b"   ", "", b"\x00\x01\x02", b"\xff\xfe\x00", b"plain text, no markup at all",
    b"<html>", b"<html><body></body></html>", b"<p>one paragraph</p>",
    b"<?xml version='1.0' encoding='bogus'?><html><body><p>x</p></body></html>",
    b"<html><body>" + b"<div>" * 20000 + b"deep" + b"</div>" * 20000 + b"</body></html>",
    b"<html><head><script type='application/ld+json'>" + b"[" * 5000 + b"]" * 5000
    + b"</script></head><body><p>x</p></body></html>",
    b"<html><head><script type='application/ld+json'>{\"articleBody\": 5, \"datePublished\":"
    b" \"yesterday\"}</script></head></html>",
    b"<html><head><meta charset='rot13'><meta property='article:published_time' "
    b"content='99999-01-01'></head><body><p>\xff\xfe</p></body></html>",
    "<html><body><p>\ud800 lone surrogate</p></body></html>",
])
def test_hostile_inputs_give_a_page_not_an_exception(markup: bytes | str) -> None:
    page = extract_page(markup, url="https://x.example/a")
    assert isinstance(page, Page)
    assert page.error is not None or page.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000)))
def test_never_raises_on_any_input(data: bytes | str) -> None:
    page = extract_page(data, url="https://x.example/a")
    assert page.error is not None or page.text


_TAGS = st.sampled_from(["p", "div", "article", "nav", "script", "td", "font", "a", "br", "h1",
                         "title", "meta", "html", "body", "head", "span", "time", "li"])
_PIECES = st.one_of(_TAGS.map(lambda t: f"<{t}>"), _TAGS.map(lambda t: f"</{t}>"),
                    st.text(max_size=80), st.just("<meta charset='latin1'>"),
                    st.just("<script type='application/ld+json'>{\"articleBody\": \""),
                    st.just("<meta property='article:published_time' content='2026-13-45'>"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_never_raises_on_tag_soup(markup: str) -> None:
    for value in (markup, markup.encode("utf-8", "surrogatepass")):
        page = extract_page(value, url="https://x.example/a")
        assert page.error is not None or page.text


def _article(head: str = "", body: str = "") -> str:
    paragraphs = "".join(f"<p>Paragraph {i} says the data centre campus will need more power "
                         "from the grid than the town uses today.</p>" for i in range(4))
    return (f"<html><head><title>A headline</title>{head}</head><body><article>"
            f"{body}{paragraphs}</article></body></html>")


@pytest.mark.parametrize(("head", "when"), [
    ("<meta property='article:published_time' content='2026-11-25T14:02:00Z'>",
     datetime(2026, 11, 25, 14, 2, tzinfo=UTC)),
    ("<meta property='article:published_time' content='2026-11-25T14:02:00.000-05:00'>",
     datetime(2026, 11, 25, 19, 2, tzinfo=UTC)),
    ("<meta itemprop='datePublished' content='2026-11-25 14:02:00'>",
     datetime(2026, 11, 25, 14, 2, tzinfo=UTC)),
    ("<meta name='parsely-pub-date' content='Wed, 25 Nov 2026 14:02:00 +0100'>",
     datetime(2026, 11, 25, 13, 2, tzinfo=UTC)),
    ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
     "\"datePublished\": \"2026-11-25T14:02:00+01:00\"}</script>",
     datetime(2026, 11, 25, 13, 2, tzinfo=UTC)),
    ("<meta property='article:published_time' content='not a date'>", None),
    ("<meta property='article:published_time' content='1066-10-14T09:00:00Z'>", None),
    ("", None),
])
def test_publication_time_is_utc(head: str, when: datetime | None) -> None:
    page = extract_page(_article(head), url="https://x.example/a")
    assert page.error is None
    assert page.published == when


def test_a_time_element_marks_the_publication_time() -> None:
    body = "<time itemprop='datePublished' datetime='2026-11-25T08:00:00+00:00'>today</time>"
    page = extract_page(_article(body=body), url="https://x.example/a")
    assert page.published == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("data", "charset", "text"), [
    ("<meta charset='utf-8'><p>Luleå €</p>".encode(), None, "Luleå €"),
    ("<meta charset='iso-8859-1'><p>Régie €</p>".encode("cp1252"), None, "Régie €"),
    ("<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'><p>Москва</p>"
     .encode("cp1251"), None, "Москва"),
    ("<p>Régie</p>".encode("cp1252"), "ISO-8859-1", "Régie"),
    # the HTTP header outranks <meta>, as in browsers
    ("<meta charset='utf-8'><p>Régie</p>".encode("cp1252"), "windows-1252", "Régie"),
    (b"\xef\xbb\xbf<meta charset='iso-8859-1'><p>\xc3\xa9</p>", "latin1", "é"),
    ("<p>é</p>".encode("utf-16"), None, "é"),
    ("<meta charset='utf-16'><p>é</p>".encode(), None, "é"),
    ("<p>Luleå</p>".encode(), None, "Luleå"),
    ("<p>Régie</p>".encode("cp1252"), None, "Régie"),
    ("<meta charset='base64'><p>Luleå</p>".encode(), "rot13", "Luleå"),
    ("<meta charset='no-such-codec'><p>Luleå</p>".encode(), None, "Luleå"),
])
def test_decoding(data: bytes, charset: str | None, text: str) -> None:
    assert text in decode_html(data, charset)


def test_the_http_charset_reaches_the_text() -> None:
    html = _article(body="<p>The régie approved a €1.2 billion hall for the machine.</p>")
    page = extract_page(html.encode("cp1252"), url="https://x.example/a", charset="windows-1252")
    assert "The régie approved a €1.2 billion hall" in page.text


def test_an_xml_declaration_does_not_garble_decoded_text() -> None:
    html = "<?xml version='1.0' encoding='iso-8859-1'?>\n" + _article(
        body="<p>The régie approved a €1.2 billion hall for the machine.</p>")
    page = extract_page(html, url="https://x.example/a")
    assert "The régie approved a €1.2 billion hall" in page.text


# ---- fetch_page on loopback


async def _fetch(server: FeedServer, path: str, *, guard: AddressGuard | None = None,
                 settings: FetchSettings = FAST) -> Page:
    async with Fetcher(settings) as fetcher:
        return await fetch_page(fetcher, server.url(path), guard=guard)


def _guard(server: FeedServer | None = None, **names: list[str]) -> AddressGuard:
    """Lets the server's own origin through, as if it served a configured feed."""
    return AddressGuard({server.url("/")} if server else set(), FakeResolver(names))


async def test_fetch_a_news_page(feed_server: FeedServer) -> None:
    feed_server.routes["/news"] = Route(NEWS, content_type="text/html; charset=utf-8", gzip=True)
    page = await _fetch(feed_server, "/news", guard=_guard(feed_server))
    assert page.error is None
    assert page.title == expected("news")["title"] and page.source == "The Grid Ledger"
    assert "sold out for cheap electricity" not in page.text
    assert feed_server.hits("/news")[0].headers["accept"].startswith("text/html")


async def test_the_http_charset_is_used(feed_server: FeedServer) -> None:
    body = _article(body="<p>The régie approved a €1.2 billion hall for the machine.</p>")
    feed_server.routes["/p"] = Route(body.encode("cp1252"),
                                     content_type='text/html; charset="windows-1252"')
    page = await _fetch(feed_server, "/p")
    assert "The régie approved a €1.2 billion hall" in page.text


async def test_a_page_without_an_article(feed_server: FeedServer) -> None:
    feed_server.routes["/"] = Route((PAGES / "home.html").read_bytes(), content_type="text/html")
    page = await _fetch(feed_server, "/")
    assert page.error == NO_ARTICLE and page.title == "The Grid Ledger"


@pytest.mark.parametrize(("status", "words"), [
    (404, "HTTP 404 Not Found: the page is gone"), (410, "HTTP 410"),
    (403, "refuses access"), (429, "rate-limiting"), (400, "refused the request"),
    (503, "HTTP 503 Service Unavailable: the site failed; try again later"),
])
async def test_http_errors_are_one_sentence_about_the_page(feed_server: FeedServer,
                                                           status: int, words: str) -> None:
    feed_server.routes["/p"] = Route(b"<html>nope</html>", status=status,
                                     content_type="text/html")
    page = await _fetch(feed_server, "/p")
    assert words in (page.error or "") and "feed" not in (page.error or "")
    assert page.text == "" and "\n" not in (page.error or "")


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png",
                                          "application/rss+xml; charset=utf-8"])
async def test_non_html_is_refused(feed_server: FeedServer, content_type: str) -> None:
    feed_server.routes["/doc"] = Route(NEWS, content_type=content_type)
    page = await _fetch(feed_server, "/doc")
    assert f"leads to {content_type.split(';')[0]}, not a web page" in (page.error or "")
    assert page.text == ""


async def test_a_huge_page_hits_the_size_cap(feed_server: FeedServer) -> None:
    filler = b"<p>" + b"More words about the grid and the campus. " * 50 + b"</p>\n"
    feed_server.routes["/huge"] = Route(b"<html><body>" + filler * 200 + b"</body></html>",
                                        content_type="text/html")
    page = await _fetch(feed_server, "/huge")
    assert "cap" in (page.error or "") and page.text == ""


async def test_a_redirect_to_a_private_address_is_refused_before_the_hop(
        feed_server: FeedServer) -> None:
    feed_server.routes["/go"] = Route(status=302, redirect="http://intranet.test/admin")
    guard = _guard(feed_server, **{"intranet.test": ["10.0.0.1"]})
    page = await _fetch(feed_server, "/go", guard=guard)
    assert page.error == "refused http://intranet.test/admin: its host resolves to 10.0.0.1, " \
                         "a private address"
    assert len(feed_server.hits("/go")) == 1


async def test_a_redirect_to_cloud_metadata_is_refused(feed_server: FeedServer) -> None:
    feed_server.routes["/go"] = Route(status=301,
                                      redirect="http://169.254.169.254/latest/meta-data/")
    page = await _fetch(feed_server, "/go", guard=_guard(feed_server))
    assert "169.254.169.254 is the cloud metadata address" in (page.error or "")


async def test_a_redirect_to_another_loopback_host_never_reaches_it(
        feed_server: FeedServer) -> None:
    with FeedServer("127.0.0.3").serve() as other:
        other.routes["/secret"] = Route(NEWS, content_type="text/html")
        feed_server.routes["/go"] = Route(status=302, redirect=other.url("/secret"))
        page = await _fetch(feed_server, "/go", guard=_guard(feed_server))
        assert "127.0.0.3 is a loopback address" in (page.error or "")
        assert other.requests == []
        # The same page is read when its host is one the configuration allows.
        allowed = AddressGuard({feed_server.url("/"), other.url("/")}, FakeResolver({}))
        assert (await _fetch(feed_server, "/go", guard=allowed)).error is None
        assert len(other.requests) == 1


@pytest.mark.parametrize("link", ["file://{path}", "FILE://localhost{path}", "{path}"])
async def test_file_links_are_refused_and_not_read(tmp_path: Path, link: str) -> None:
    secret = tmp_path / "news.html"
    secret.write_bytes(NEWS)
    async with Fetcher(FAST) as fetcher:
        page = await fetch_page(fetcher, link.format(path=secret), guard=_guard())
    assert "only http and https links are fetched" in (page.error or "")
    assert page.text == ""


async def test_without_a_guard_a_local_path_is_read(tmp_path: Path) -> None:
    local = tmp_path / "news.html"
    local.write_bytes(NEWS)
    async with Fetcher(FAST) as fetcher:
        page = await fetch_page(fetcher, str(local), guard=None)
    assert page.error is None and page.title == expected("news")["title"]


async def test_an_unreachable_host_is_an_error_page() -> None:
    # A port nothing listens on: bind one, note it, close it.
    with FeedServer().serve() as server:
        url = server.url("/gone")
    async with Fetcher(FAST) as fetcher:
        page = await fetch_page(fetcher, url, guard=_guard())
    assert page.error and page.text == "" and page.source == "127.0.0.1"
