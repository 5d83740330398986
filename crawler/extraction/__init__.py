"""Pure extraction: HTML and URL in, article fields out (no Scrapy, no database).

``extract_article`` parses a page once and returns its metadata and the HTML
of its main body; ``clean_body`` turns that body into clean text;
``read_page`` does both and judges whether the page is an article. The
crawler runs ``read_page`` on every article page (in worker processes, see
``crawler.page_workers``); the benchmark runs the same on stored pages.
"""

from crawler.extraction.body import BodyRules
from crawler.extraction.cleaning import clean_body
from crawler.extraction.page import extract_article
from crawler.extraction.reading import PageReading, read_page

__all__ = ["BodyRules", "PageReading", "clean_body", "extract_article", "read_page"]
