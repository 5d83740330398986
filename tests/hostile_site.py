"""A hostile news site: good articles among every kind of broken, huge, slow, tricky and malicious page.

Served by ``tests.local_server`` under a public name (``hostile.example``,
through the server as the crawler's proxy), so the crawler treats it as a
site on the internet and the test sees every request it makes. The home page
lists every case as an article link; the good articles are on ``/page/2/``.
Each case says what the crawler must do with it:

- archived as usual: the good articles, malformed and truncated markup, pages
  in cp1252 declared UTF-8, with a byte-order mark, in Shift_JIS or GB2312
  declared only by ``<meta>``, non-ASCII and international URLs, a short
  redirect chain, a 503 that asks to retry after a second and then answers,
  JSON-LD that is invalid, huge or lies, control characters in title and body;
- counted in ``crawl_run_errors`` under ``FAILING`` reasons and never archived:
  binary data served as HTML, a 50 MB page (announced, and streamed without a
  length), a gzip bomb, a transfer cut short, a redirect loop, a long redirect
  chain, a server error, 503s, a stalled response, a redirect to a private
  address, a URL too long;
- never requested: other domains, private and loopback addresses however
  written, ``javascript:``, ``mailto:`` and ``data:`` links, calendar links,
  index pages beyond ``max_pages`` of an endless pagination.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

from tests.local_server import Handler

HOST = "hostile.example"
IDN_HOST = "bücher.hostile.example"
IDN_HOST_ASCII = "xn--bcher-kva.hostile.example"
HUGE_BYTES = 50 * 1024 * 1024
BOMB_BYTES = 200 * 1024 * 1024
CHUNK = b"<p>" + b"filler " * 9000 + b"</p>\n"
LONG_URL_PATH = "/" + "very-long-" * 300 + "story/"
REDIRECTS_ALLOWED = 10
"""REDIRECT_MAX_TIMES of crawler/settings.py."""


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    paragraphs: tuple[str, ...]


def _story(slug: str, title: str, subject: str) -> Story:
    return Story(
        slug,
        title,
        tuple(
            f"{subject}: paragraph {n} reports what changed in this release and why users of the project should care, "
            f"with the details of the upgrade path, the known issues and the plans for the next cycle."
            for n in range(1, 6)
        ),
    )


GOOD = tuple(_story(f"good-story-{n}", f"Good story {n}: a solid release", f"Good story {n}") for n in range(1, 6))
MALFORMED = _story("malformed-markup", "Malformed markup survives", "Malformed markup")
TRUNCATED = _story("truncated-markup", "Truncated markup keeps its start", "Truncated markup")
CP1252 = Story(
    "cp1252-declared-utf8",
    "“Smart quotes” and café prices in €",
    tuple(
        f"Paragraphe {n} : le café coûte 3 € à Paris, disait l’article « très sérieux » du développeur ; "
        f"les accents, les guillemets et le symbole € doivent survivre au décodage."
        for n in range(1, 6)
    ),
)
BOM = _story("utf8-bom", "Ünïcödé with a byte-order mark", "Ünïcödé BOM story")
SHIFT_JIS = Story(
    "shift-jis-meta",
    "日本語の記事：新しいカーネルが公開されました",
    tuple(
        f"第{n}段落：新しいカーネルが公開されました。このリリースでは電力管理が改善され、"
        f"ノートパソコンのバッテリー寿命が延びました。開発者は次のリリースの計画も発表しました。"
        for n in range(1, 6)
    ),
)
GB2312 = Story(
    "gb2312-meta",
    "中文文章：新的桌面环境发布了",
    tuple(
        f"第{n}段：新的桌面环境今天发布了。这个版本改进了文件管理器和设置程序，并且修复了许多用户报告的问题。开发者还公布了下一个版本的计划。"
        for n in range(1, 6)
    ),
)
UNICODE_PATH = _story("café-ünïcode-story", "A story under a non-ASCII path", "Non-ASCII path")
PERCENT_PATH = _story("✓-checked-story", "A story under a percent-encoded path", "Percent-encoded path")
IDN = _story("idn-story", "A story on an international host name", "International host")
SHORT_CHAIN_END = _story("short-chain-end", "The end of a short redirect chain", "Short redirect chain")
BUSY_THEN_OK = _story("busy-then-ok", "A busy server answers at last", "Busy then available")
JSONLD_INVALID = _story("jsonld-invalid", "Invalid JSON-LD does not stop extraction", "Invalid JSON-LD")
JSONLD_HUGE = _story("jsonld-huge", "Huge JSON-LD is skipped", "Huge JSON-LD")
JSONLD_LIES = _story("jsonld-lies", "JSON-LD that lies about dates and authors", "Lying JSON-LD")
CONTROL = Story(
    "control-characters",
    "Terminal \x1b[2J\x1b]0;owned\x07escape\x00 title",
    tuple(
        f"Control paragraph {n} hides \x1b[31mred\x1b[0m escape sequences and a NUL\x00 byte inside a sentence "
        f"that is long enough to be an article paragraph about terminal safety in archives."
        for n in range(1, 6)
    ),
)

ARCHIVED = {
    **{f"/{s.slug}/": s for s in GOOD},
    "/malformed-markup/": MALFORMED,
    "/truncated-markup/": TRUNCATED,
    "/cp1252-declared-utf8/": CP1252,
    "/utf8-bom/": BOM,
    "/shift-jis-meta/": SHIFT_JIS,
    "/gb2312-meta/": GB2312,
    f"/{UNICODE_PATH.slug}/": UNICODE_PATH,
    f"/{PERCENT_PATH.slug}/": PERCENT_PATH,
    "/short/0/": SHORT_CHAIN_END,
    "/busy-then-ok/": BUSY_THEN_OK,
    "/jsonld-invalid/": JSONLD_INVALID,
    "/jsonld-huge/": JSONLD_HUGE,
    "/jsonld-lies/": JSONLD_LIES,
    "/control-characters/": CONTROL,
}
"""Path on HOST -> the article archived from it (the IDN story is on IDN_HOST)."""
FAILING = {
    "/binary-as-html/": "unparsable",
    "/huge-page/": "too-large",
    "/huge-stream/": "too-large",
    "/gzip-bomb/": "too-large",
    "/cut-short/": "truncated",
    "/loop-a/": "redirect-loop",
    f"/long/{REDIRECTS_ALLOWED + 5}/": "too-many-redirects",
    "/server-error/": "http-500",
    "/unavailable/": "http-503",
    "/retry-much-later/": "http-503",
    "/stalled/": "timeout",
    "/to-metadata/": "private-address",
    LONG_URL_PATH: "url-too-long",
}
"""Path on HOST -> the reason it is counted under in crawl_run_errors."""
NEVER_REQUESTED_LINKS = (
    "http://other-news.example/stolen-story/",
    "http://bücher.example/offsite-idn-story/",
    "http://10.0.0.7/admin/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/loopback-story/",
    "http://2130706433/decimal-loopback-story/",
    "http://0x7f.1/hex-loopback-story/",
    f"http://{HOST}@10.0.0.8/userinfo-story/",
    "http://localhost/local-story/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "javascript:alert(document.cookie)",
    "mailto:editor@hostile.example",
    "data:text/html;base64,PGgxPnB3bmVkPC9oMT4=",
)
METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/"
"""Where /to-metadata/ redirects: a cloud metadata service."""
RETRIES = 2
"""RETRY_TIMES of crawler/settings.py: a failing page is requested 1 + RETRIES times."""
BUSY_ANSWERS = 2
"""503s with Retry-After: 1 that /busy-then-ok/ answers before the article."""


def story_body(story: Story) -> str:
    """The body text the archive must hold for ``story``."""
    return "\n\n".join(story.paragraphs)


def _page(story: Story, charset: str = "utf-8", json_ld: str | None = None, head: str = "") -> str:
    data = (
        json_ld
        if json_ld is not None
        else json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": story.title,
                "datePublished": "2026-05-04T10:00:00+00:00",
                "author": {"@type": "Person", "name": "Ada Reporter"},
            },
            ensure_ascii=False,
        )
    )
    paragraphs = "".join(f"<p>{escape(p, quote=False)}</p>" for p in story.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}"><title>{escape(story.title)}</title>'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{escape(story.title)}">'
        f'<script type="application/ld+json">{data}</script>{head}</head>'
        f'<body><main><article><h1>{escape(story.title)}</h1><time datetime="2026-05-04T10:00:00+00:00">May 4</time>'
        f'<div class="entry-content">{paragraphs}</div></article></main></body></html>'
    )


def _malformed(story: Story) -> str:
    """Unquoted attributes, unclosed and stray tags, no </head>, </body> or </html>."""
    paragraphs = "".join(f"<p class=lead>{escape(p)}" + ("</span></td>" if n % 2 else "<br/></em>") for n, p in enumerate(story.paragraphs))
    return (
        f"<html><head><title>{story.title}</title><meta property=og:type content=article>"
        f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{story.title}"}}</script>'
        f"<body><article><h1>{story.title}</h3><div class=entry-content>{paragraphs}</table></div></div></div><p>"
    )


def _truncated(story: Story) -> str:
    page = _page(Story(story.slug, story.title, (*story.paragraphs, "This last paragraph is cut off in the mid")))
    return page[: page.index("cut off in the mid") + len("cut off in the mid")]


def _jsonld_lies(story: Story) -> str:
    authors = [{"@type": "Person", "name": f"Author Number {n}"} for n in range(10_000)]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": "9999-12-31T23:59:59+00:00",
        "dateModified": "9999-12-31T23:59:59+00:00",
        "author": authors,
    }
    return _page(story, json_ld=json.dumps(data))


def _jsonld_huge(story: Story) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "The huge JSON-LD headline", "description": "padding " * 300_000}
    return _page(story, json_ld=json.dumps(data))


def _link(href: str, text: str = "Story") -> str:
    return f'<article class="post"><h2 class="entry-title"><a href="{escape(href)}">{escape(text)}</a></h2></article>'


CALENDAR = (
    '<aside class="widget calendar"><table><caption>May 2026</caption><tr>'
    + "".join(f'<td><a href="/calendar/2026/05/{day:02d}/">{day}</a></td>' for day in range(1, 8))
    + '</tr></table><a href="/calendar/2026/04/">« Apr</a> <a href="/calendar/2026/06/">Jun »</a></aside>'
)


def _index_page(number: int) -> str:
    if number == 1:
        links = [*ARCHIVED, *FAILING, *NEVER_REQUESTED_LINKS, "/short/3/", f"http://{IDN_HOST}/{IDN.slug}/"]
        links = [
            quote(path) if path == f"/{PERCENT_PATH.slug}/" else path for path in links if path not in ("/short/0/", *(f"/{s.slug}/" for s in GOOD))
        ]
    elif number == 2:
        links = [f"/{s.slug}/" for s in GOOD]
    else:
        links = []
    items = "".join(_link(href) for href in links)
    return (
        f"<!DOCTYPE html><html><head><title>Hostile News, page {number}</title>"
        f'<link rel="next" href="/page/{number + 1}/"></head><body><main>{items}</main>{CALENDAR}</body></html>'
    )


def _gzip_bomb() -> bytes:
    compressor = gzip.compress(b"\0" * (BOMB_BYTES // 8), compresslevel=9)
    return compressor * 8  # concatenated gzip members: one stream of BOMB_BYTES zeros


@dataclass
class HostileSite:
    """The hostile site; one instance per server (it counts requests to the pages that answer by turns)."""

    bomb: bytes = field(default_factory=_gzip_bomb)
    busy_answers: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    """Set when the test is over: the stalled response gives up waiting."""
    streamed: dict[str, int] = field(default_factory=dict)
    """Bytes of each huge page written before the crawler hung up."""

    def _pages(self) -> dict[str, bytes]:
        pages = {path: _page(story).encode() for path, story in ARCHIVED.items()}
        pages["/malformed-markup/"] = _malformed(MALFORMED).encode()
        pages["/truncated-markup/"] = _truncated(TRUNCATED).encode()
        pages["/cp1252-declared-utf8/"] = _page(CP1252).encode("cp1252")
        pages["/shift-jis-meta/"] = _page(SHIFT_JIS, charset="Shift_JIS").encode("shift_jis")
        pages["/gb2312-meta/"] = _page(GB2312, charset="gb2312").encode("gb2312")
        pages["/jsonld-invalid/"] = _page(JSONLD_INVALID, json_ld='{"@type": "NewsArticle", "headline": "Broken",,, ').encode()
        pages["/jsonld-huge/"] = _jsonld_huge(JSONLD_HUGE).encode()
        pages["/jsonld-lies/"] = _jsonld_lies(JSONLD_LIES).encode()
        return pages

    def __post_init__(self) -> None:
        self.pages = self._pages()

    def respond(self, handler: Handler, host: str, path: str, query: str) -> None:
        if host not in (HOST, IDN_HOST_ASCII):
            handler.send(b"<html><body>Never to be requested</body></html>", status=404)
        elif path == "/robots.txt":
            handler.send(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        elif path == "/" or path.startswith("/page/"):
            handler.send(_index_page(1 if path == "/" else int(path.strip("/").split("/")[-1])).encode())
        elif path == f"/{IDN.slug}/":
            handler.send(_page(IDN).encode())
        elif path in self.pages:
            self._special(handler, path) or handler.send(self.pages[path])
        else:
            self._special(handler, path) or handler.send(b"<html><body>Not found</body></html>", status=404)

    def _special(self, handler: Handler, path: str) -> bool:
        """Answer the cases that are not a plain page; False if ``path`` is not one of them."""
        if path == "/utf8-bom/":
            handler.send(b"\xef\xbb\xbf" + _page(BOM).encode(), content_type="text/html; charset=iso-8859-1")
        elif path == "/busy-then-ok/":
            with self.lock:
                answered = self.busy_answers[path] = self.busy_answers.get(path, 0) + 1
            if answered <= BUSY_ANSWERS:
                handler.send(b"<html><body>Busy</body></html>", status=503, Retry_After="1")
                return True
            return False
        elif path == "/binary-as-html/":
            handler.send(bytes(range(256)) * 256, content_type="text/html")
        elif path == "/huge-page/":
            self._stream(handler, path, announce=True)
        elif path == "/huge-stream/":
            self._stream(handler, path, announce=False)
        elif path == "/gzip-bomb/":
            handler.send(self.bomb, Content_Encoding="gzip")
        elif path == "/cut-short/":
            body = _page(GOOD[0]).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body) * 2))
            handler.end_headers()
            handler.wfile.write(body)
        elif path in ("/loop-a/", "/loop-b/"):
            handler.send(b"", status=302, Location="/loop-b/" if path == "/loop-a/" else "/loop-a/")
        elif path.startswith(("/short/", "/long/")):
            kind, number = path.strip("/").split("/")
            if kind == "short" and number == "0":
                return False
            target = f"/{kind}/{int(number) - 1}/" if int(number) > 0 else f"/{GOOD[0].slug}/"
            handler.send(b"", status=301, Location=target)
        elif path == "/server-error/":
            handler.send(b"<html><body>Internal Server Error</body></html>", status=500)
        elif path == "/unavailable/":
            handler.send(b"<html><body>Down for maintenance</body></html>", status=503, Retry_After="1")
        elif path == "/retry-much-later/":
            handler.send(b"<html><body>Come back tomorrow</body></html>", status=503, Retry_After="86400")
        elif path == "/stalled/":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", "100000")
            handler.end_headers()
            handler.wfile.write(b"<html><head><title>Stalled</title></head><body><p>The server stops here")
            handler.wfile.flush()
            self.stopping.wait(120)
        elif path == "/to-metadata/":
            handler.send(b"", status=302, Location=METADATA_URL)
        else:
            return False
        return True

    def _stream(self, handler: Handler, path: str, announce: bool) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if announce:
            handler.send_header("Content-Length", str(HUGE_BYTES))
        handler.end_headers()
        handler.wfile.write(b"<html><head><title>Huge</title></head><body>")
        self.streamed[path] = 0
        while self.streamed[path] < HUGE_BYTES:
            handler.wfile.write(CHUNK)
            self.streamed[path] += len(CHUNK)
