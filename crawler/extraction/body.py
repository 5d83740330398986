"""Find the main body of an article page, as an HTML fragment for the cleaning step.

The cascade, most precise first:
1. the site profile's ``body`` selector (its longest match, if that holds a body
   of some length), after the profile's ``remove`` selectors, the generic
   boilerplate and the parts of a page that hold no article (head, footers,
   responsive images) have been removed;
2. trafilatura, the strongest generic main-content extractor, on the same
   pre-cleaned tree (its comparison with readability and jusText, a fifth of
   its time, only where its own extraction is short);
3. trafilatura again in recall mode when the first pass returns too little,
   taken only if it finds a body of some length (on a page without one, recall
   mode returns page chrome, which is worse than nothing), or when the first
   pass holds less than a quarter of the text of the page's long paragraphs (a
   lead, a caption, or a reprint, paywall or cookie notice taken for the whole
   article; notices do not count as text): then the pass whose length is
   closer to those paragraphs' is kept.

A generic pass's body is completed with the other chunks of an article that the
site splits into several containers of the same kind (``chunks.py``).

Importing this module puts Python translations of trafilatura's pruning queries in the
place of its XPath ones (``xpath_subset.py``: the same selections, faster) and keeps
trafilatura's warning that a pass found too little text out of the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

import trafilatura
from lxml.etree import Element
from lxml.html import HtmlElement, tostring
from trafilatura.core import determine_returnstring
from trafilatura.settings import Document, Extractor

from crawler.extraction.chunks import page_paragraphs, parse_fragment, with_sibling_chunks
from crawler.extraction.rules import BodyRules, compiled_selector
from crawler.extraction.selectors import PAGE_ONLY_TAGS, is_boilerplate_markup, is_notice
from crawler.extraction.xpath_subset import translate_trafilatura_xpaths

MIN_BODY_CHARS = 250
"""A first generic pass shorter than this is retried in recall mode."""
MAIN_PARAGRAPH_CHARS = 80
"""Paragraphs this long are prose: their total is what the page holds of main text."""
DOUBTFUL_BODY_SHARE = 0.25
"""A first pass with less text than this share of the page's main text is retried in recall mode."""
MIN_LINK_LIST_ITEMS = 3
MIN_LINK_LIST_WORDS = 4
COMPARED_BELOW_CHARS = 1000
"""A precision pass runs trafilatura's comparison with readability and jusText only when its own extraction
(HTML) is shorter than this: on the evaluation sets the comparison keeps every longer one unchanged."""
LINKED_SHARE = 0.9
"""A list whose every item is at least this share of link words, and headline-long, lists other stories."""
MAX_KICKER_WORDS = 4
"""A list item may open with this many words outside its link: the topic of the story linked ("Health:")."""
LIST_TAGS = frozenset({"ul", "ol"})


def _not_discarding_data(record: logging.LogRecord) -> bool:
    """Whether trafilatura's log record is worth a line: not its warning that a pass found too little text ("discarding
    data"), the cascade's normal course, not a fault of the page, that would fill a crawl's log with alarming lines."""
    return not (isinstance(record.msg, str) and record.msg.startswith("discarding data"))


translate_trafilatura_xpaths()  # the same selections, in a third to a half of the time
logging.getLogger("trafilatura.core").addFilter(_not_discarding_data)


def _drop(elements: Iterable[HtmlElement]) -> None:
    """Drop each element (keeping the text that follows it), unless an ancestor went already."""
    for element in list(elements):
        if element.getparent() is not None:
            element.drop_tree()


def _words(element: HtmlElement) -> list[str]:
    return " ".join(element.itertext()).split()


def _is_story_link(item: HtmlElement) -> bool:
    """A list item that is a headline-long link and little else, or a link after a short kicker ("Health: <a>...</a>")."""
    words = _words(item)
    if len(words) < MIN_LINK_LIST_WORDS:
        return False
    linked = [_words(link) for link in item.iter("a")]
    linked_count = sum(len(link) for link in linked)
    if linked_count >= LINKED_SHARE * len(words):
        return True
    return len(words) - linked_count <= MAX_KICKER_WORDS and linked_count >= MIN_LINK_LIST_WORDS and words[-len(linked[-1]) :] == linked[-1]


def is_link_list(listing: HtmlElement) -> bool:
    """A list whose every item is a headline-long link and little else, or one after a kicker: a list of other stories."""
    items = [child for child in listing if child.tag == "li"]
    return len(items) >= MIN_LINK_LIST_ITEMS and all(_is_story_link(item) for item in items)


def _boilerplate(tree: HtmlElement) -> Iterator[HtmlElement]:
    """The generic boilerplate elements of ``tree``, its parts that hold no article
    (:data:`~crawler.extraction.selectors.PAGE_ONLY_TAGS`) and its lists of links to other stories, in page order."""
    for element in tree.iter(Element):  # elements only, no comments or entities
        tag = element.tag
        if tag in PAGE_ONLY_TAGS or is_boilerplate_markup(tag, element.get("class"), element.get("id")):
            yield element
        elif tag in LIST_TAGS and is_link_list(element):
            yield element


def remove_boilerplate(tree: HtmlElement, selectors: Iterable[str] = ()) -> None:
    """Drop the generic boilerplate elements, the parts that hold no article, lists of links to other stories, and what the
    CSS selectors match."""
    _drop(_boilerplate(tree))
    for selector in selectors:
        _drop(compiled_selector(selector)(tree))


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _prose_chars(body: HtmlElement | None) -> int:
    """How much text an extracted body (parsed) holds, markup and paragraphs that are notices (paywall, cookies, reprint) aside."""
    if body is None:
        return 0
    notices = (text for text in (p.text_content() for p in body.iter("p")) if is_notice(text, reprints=True))
    return len(_text(body)) - sum(len(" ".join(text.split())) for text in notices)


def _main_text_chars(paragraphs: list[tuple[HtmlElement, str]]) -> int:
    """The text of the page's prose paragraphs (:data:`MAIN_PARAGRAPH_CHARS` or longer, no notice), of its ``paragraphs``
    (:func:`~crawler.extraction.chunks.page_paragraphs`): what a body should about hold."""
    return sum(len(text) for _, text in paragraphs if len(text) >= MAIN_PARAGRAPH_CHARS and not is_notice(text, reprints=True))


def _trafilatura_html(tree: HtmlElement, url: str, favor_precision: bool = False, favor_recall: bool = False) -> str:
    """trafilatura's main content as HTML.

    The same as ``trafilatura.extract(..., output_format="html")`` without the content
    fingerprint that ``extract`` computes for its metadata (a third of its time here).
    In precision mode trafilatura's own extraction comes first, and its comparison with
    readability and jusText runs only if that is shorter than :data:`COMPARED_BELOW_CHARS`.
    """
    if favor_precision:
        own = _trafilatura_pass(tree, url, favor_precision=True, favor_recall=favor_recall, compare=False)
        if len(own) >= COMPARED_BELOW_CHARS:
            return own
    return _trafilatura_pass(tree, url, favor_precision=favor_precision, favor_recall=favor_recall, compare=True)


def _trafilatura_pass(tree: HtmlElement, url: str, favor_precision: bool, favor_recall: bool, compare: bool) -> str:
    """One run of trafilatura, with or without its comparison with readability and jusText."""
    options = Extractor(
        output_format="html",
        comments=False,
        tables=True,
        images=False,
        links=False,
        with_metadata=False,
        precision=favor_precision,
        recall=favor_recall,
        fast=not compare,
        url=url,
    )
    document = trafilatura.bare_extraction(tree, options=options)
    if not isinstance(document, Document):
        return ""
    return determine_returnstring(document, options) or ""


def extract_body_html(tree: HtmlElement, url: str, rules: BodyRules | None = None) -> tuple[str, str]:
    """The body fragment of ``tree`` and the name of the cascade step that found it.

    ``tree`` is modified (boilerplate removed); parse a fresh one for other uses.
    """
    rules = rules or BodyRules()
    remove_boilerplate(tree, rules.remove)
    if rules.body:
        # The longest match: a selector like "article .entry-content" also matches the
        # excerpts of related stories. Its tail is the text after it, not part of it.
        matches = compiled_selector(rules.body)(tree)
        longest = max(matches, key=lambda m: len(m.text_content()), default=None)
        if longest is not None and len(longest.text_content().strip()) >= MIN_BODY_CHARS:
            return tostring(longest, encoding="unicode", with_tail=False), "profile"
    paragraphs = page_paragraphs(tree)
    body = _trafilatura_html(tree, url, favor_precision=True)
    if len(body) >= MIN_BODY_CHARS:
        main_text = _main_text_chars(paragraphs)
        parsed = parse_fragment(body)
        body_text = _prose_chars(parsed)
        if body_text < DOUBTFUL_BODY_SHARE * main_text:
            fallback = _trafilatura_html(tree, url, favor_recall=True)
            parsed_fallback = parse_fragment(fallback)
            if abs(_prose_chars(parsed_fallback) - main_text) < abs(body_text - main_text):
                return with_sibling_chunks(tree, paragraphs, fallback, parsed_fallback), "trafilatura-recall"
        return with_sibling_chunks(tree, paragraphs, body, parsed), "trafilatura"
    fallback = _trafilatura_html(tree, url, favor_recall=True)
    if len(fallback) >= MIN_BODY_CHARS:
        return with_sibling_chunks(tree, paragraphs, fallback, parse_fragment(fallback)), "trafilatura-recall"
    return body, "trafilatura"
