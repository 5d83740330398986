"""Read a fetched page whole: metadata, clean body text and whether it is an article, as plain data.

``read_page`` is what the crawler does with every article page, in one call on
decoded HTML, so that it can run in a worker process: it takes only picklable
arguments (HTML, URL, the profile's frozen ``BodyRules``) and returns a
picklable ``PageReading``; no lxml tree crosses a process boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crawler.extraction.cleaning import clean_body
from crawler.extraction.language import detect_language
from crawler.extraction.metadata import PageMetadata
from crawler.extraction.page import extract_article, is_article
from crawler.extraction.rules import BodyRules


@dataclass(frozen=True)
class PageReading:
    metadata: PageMetadata
    body_text: str
    """The clean body text: paragraphs separated by one blank line; empty if no body was found."""
    extractor: str
    """Extractor version and the cascade step that found the body."""
    article_markup: str
    """How the page marks itself as an article: "json-ld", "og", or "" for none."""

    @property
    def is_article(self) -> bool:
        return is_article(self.article_markup, self.metadata.published_at, self.body_text)


def read_page(html: str, url: str, rules: BodyRules | None = None) -> PageReading:
    """Extract the page ``html`` fetched from ``url`` (parsed once) and clean its body.

    A page that declares no language gets the one its body text is written in, where that can be told.
    """
    page = extract_article(html, url, rules)
    body_text = clean_body(page.body_html, page.metadata.title)
    metadata = page.metadata if page.metadata.language else replace(page.metadata, language=detect_language(body_text))
    return PageReading(
        metadata=metadata,
        body_text=body_text,
        extractor=page.extractor,
        article_markup=page.article_markup,
    )
