"""Pure extraction: HTML and URL in, article fields out (no Scrapy, no database).

``extract_article`` parses a page once and returns its metadata and the HTML
of its main body; ``clean_body`` turns that body into clean text. The crawler
runs the first in the spider and the second in its cleaning pipeline; the
benchmark runs both on stored pages.
"""

from crawler.extraction.body import BodyRules
from crawler.extraction.cleaning import clean_body
from crawler.extraction.page import ExtractedPage, extract_article

__all__ = ["BodyRules", "ExtractedPage", "clean_body", "extract_article"]
