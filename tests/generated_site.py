"""A generated news site of any size, different under every host name: for crash and concurrency runs.

Index pages (``/``, ``/page/2/``, ...) list ``per_page`` articles each, newest
first, with ``rel=next``; every article has JSON-LD, a date and a body of its
own. The text depends on the host, so the same server gives several distinct
sites (``site-0.example``, ``site-1.example``, ...) when it is their proxy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from tests.local_server import Handler

TOPICS = ("kernel", "desktop", "browser", "compiler", "filesystem", "installer", "scheduler", "driver")


def article_slug(number: int) -> str:
    return f"story-{number}-{TOPICS[number % len(TOPICS)]}-news"


def article_title(host: str, number: int) -> str:
    return f"{host.split('.')[0].title()} story {number}: the {TOPICS[number % len(TOPICS)]} gets faster"


def article_paragraphs(host: str, number: int) -> list[str]:
    topic = TOPICS[number % len(TOPICS)]
    return [
        f"Story {number} on {host}: developers of the {topic} announced release {number}.{index} today, "
        f"with changes that users of {host} asked for in the last {number % 12 + 2} months."
        f" Paragraph {index} explains why the {topic} work matters for everyone who runs it daily."
        for index in range(1, 6)
    ]


def _article_page(host: str, number: int) -> bytes:
    title = article_title(host, number)
    day = f"2026-{number % 12 + 1:02d}-{number % 28 + 1:02d}T10:00:00+00:00"
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": day,
        "author": {"@type": "Person", "name": f"Writer {number % 7}"},
    }
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article_paragraphs(host, number))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{escape(title)}">'
        f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
        f'<body><main><article><h1>{escape(title)}</h1><time datetime="{day}">{day[:10]}</time>'
        f'<div class="entry-content">{paragraphs}</div></article></main></body></html>'
    ).encode()


@dataclass
class GeneratedSite:
    articles: int = 1000
    per_page: int = 20

    @property
    def index_pages(self) -> int:
        return -(-self.articles // self.per_page)

    def _index_page(self, host: str, page: int) -> bytes:
        first = self.articles - (page - 1) * self.per_page
        numbers = range(first, max(first - self.per_page, 0), -1)
        items = "".join(
            f'<article><h2 class="entry-title"><a href="/{article_slug(n)}/">{escape(article_title(host, n))}</a></h2></article>' for n in numbers
        )
        head = f'<link rel="next" href="/page/{page + 1}/">' if page < self.index_pages else ""
        return f"<!DOCTYPE html><html><head><title>{host}</title>{head}</head><body><main>{items}</main></body></html>".encode()

    def respond(self, handler: Handler, host: str, path: str, query: str) -> None:
        if path == "/robots.txt":
            handler.send(b"User-agent: *\nAllow: /\n", content_type="text/plain")
        elif path == "/" or path.startswith("/page/"):
            page = 1 if path == "/" else int(path.strip("/").split("/")[-1])
            handler.send(self._index_page(host, page))
        elif path.startswith("/story-"):
            handler.send(_article_page(host, int(path.split("-")[1])))
        else:
            handler.send(b"<html><body>Not found</body></html>", status=404)
