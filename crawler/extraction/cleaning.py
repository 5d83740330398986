"""Turn an extracted body fragment into clean article text with BeautifulSoup.

Removes what still is not article (share buttons, related-article lists,
newsletter boxes, author boxes, comments, ads, captions and credits, whether
marked by class or only recognisable by their words) and writes the rest as
paragraphs separated by one blank line, whitespace normalised. Headings,
list items and block quotes stay, each as a paragraph of its own.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag

from archive.content import INVISIBLE_CHARACTERS
from crawler.extraction.selectors import (
    BOILERPLATE_TEXT,
    BOILERPLATE_TEXT_MAX_CHARS,
    BOILERPLATE_TEXT_MAX_WORDS,
    BYLINE,
    DATELINE_DATE,
    DATELINE_MAX_OTHER_WORDS,
    DATELINE_MAX_WORDS,
    DATELINE_START,
    DATELINE_WORD,
    EDGE_PARAGRAPHS,
    END_OF_ARTICLE,
    NEWSLETTER_PITCH,
    NON_BODY_TAGS,
    POST_META_LABELS,
    is_boilerplate_element,
    is_notice,
)

END_OF_ARTICLE_MAX_WORDS = 8
TAIL_MIN_WORDS_BEFORE = 100
"""A tail marker cuts only after this many words of article (or half the text, if less)."""

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "table",
        "tr",
        "dl",
        "dt",
        "dd",
        "figure",
        "hr",
        "address",
        "details",
        "summary",
    }
)
LINE_BREAK_TAGS = frozenset({"br"})
CELL_TAGS = frozenset({"td", "th"})
LIST_ITEM_TAGS = frozenset({"li"})
PARAGRAPH_BREAK = "\n\n"
BLANK_LINES = re.compile(r"\n\s*\n")
LIST_ITEM_MARK = "• "
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
WORD = re.compile(r"\w+")
HEADLINE_SIMILARITY = 0.5
KICKED_TITLE_SHARE = 0.8
"""An opening heading that holds this share of the title's words is the headline, whatever kicker goes before it."""
MIN_KICKED_TITLE_WORDS = 4
OPENING_HEADLINE_TAGS = frozenset({"h1", "h2"})
"""The headline opening a body: an ``<h1>``, or the ``<h2>`` the generic extractor makes of it."""
WRAPPER_TAGS = frozenset({"html", "body", "div", "section", "article", "main", "span"})


def _short(text: str) -> str | None:
    """The paragraph, whitespace normalised, if it is short enough to be judged by its words."""
    words = text.split()
    if not 0 < len(words) <= BOILERPLATE_TEXT_MAX_WORDS or len(text) > BOILERPLATE_TEXT_MAX_CHARS:
        return None
    return " ".join(words)


def _is_boilerplate_text(text: str) -> bool:
    """A short paragraph that is page furniture: a call to share or subscribe, a credit, a "Related" label, a paywall or cookie notice."""
    short = _short(text)
    return short is not None and bool(BOILERPLATE_TEXT.match(short) or NEWSLETTER_PITCH.search(short) or is_notice(short))


def _is_dateline(text: str) -> bool:
    """A date line such as "by Jane Doe, Monday, November 18, 2019" or "Updated at 1:23 p.m."."""
    if len(text.split()) > DATELINE_MAX_WORDS or not DATELINE_START.match(text) or not DATELINE_DATE.search(text):
        return False
    other = [word for word in re.findall(r"[^\W_]+", text) if not DATELINE_WORD.match(word)]
    return len(other) <= DATELINE_MAX_OTHER_WORDS


def _is_post_furniture(text: str) -> bool:
    """A date line, a byline or a "Posted by … Category: … Tags: …" line, as themes print them around a post."""
    short = _short(text)
    return short is not None and (len(POST_META_LABELS.findall(short)) >= 2 or _is_dateline(short) or bool(BYLINE.match(short)))


def _without_furniture(paragraphs: list[str]) -> list[str]:
    """Paragraphs without boilerplate, and without date and post-meta lines at either end of the body."""
    last_edge = len(paragraphs) - EDGE_PARAGRAPHS
    return [
        paragraph
        for index, paragraph in enumerate(paragraphs)
        if not _is_boilerplate_text(paragraph) and not ((index < EDGE_PARAGRAPHS or index >= last_edge) and _is_post_furniture(paragraph))
    ]


def _tags(soup: BeautifulSoup, names: Collection[str]) -> list[Tag]:
    """The soup's tags named one of ``names``, in page order: what ``soup.find_all(names)`` returns, without
    BeautifulSoup's matching machinery (most of the cleaning's time otherwise)."""
    return [element for element in soup.descendants if isinstance(element, Tag) and element.name in names]


def _next_tag(element: Tag) -> Tag | None:
    """The tag that follows ``element`` among its siblings: ``element.find_next_sibling()``, without its matching machinery."""
    return next((sibling for sibling in element.next_siblings if isinstance(sibling, Tag)), None)


def _decompose(elements: Iterable[Tag]) -> None:
    for element in list(elements):
        if not element.decomposed:
            element.decompose()


def _drop_lists_under_boilerplate_headings(soup: BeautifulSoup) -> None:
    """A list right after a "Related"/"Read more" heading is the list of links it announces."""
    headings = _tags(soup, HEADINGS)
    for heading in headings:
        text = " ".join(heading.get_text(" ").split())
        following = _next_tag(heading)
        if following is not None and following.name in ("ul", "ol") and (_is_boilerplate_text(text) or END_OF_ARTICLE.match(text)):
            following.decompose()


def _similar(heading: str, title: str) -> bool:
    """A heading with at least half its words in common with the title (Jaccard), a rewording of it, or one that holds
    nearly every word of a title of some length after a kicker ("Ukraine war Kyiv waits for the spring" for "Kyiv waits
    for the spring")."""
    heading_words, title_words = set(WORD.findall(heading.casefold())), set(WORD.findall(title.casefold()))
    shared = len(heading_words & title_words)
    if len(title_words) >= MIN_KICKED_TITLE_WORDS and shared >= KICKED_TITLE_SHARE * len(title_words):
        return True
    return bool(heading_words | title_words) and shared >= HEADLINE_SIMILARITY * len(heading_words | title_words)


def _drop_headline(soup: BeautifulSoup, title: str | None) -> None:
    """The headline is the title, not body: any heading that repeats the title, and an ``<h1>`` or ``<h2>``
    opening the body that rewords it or puts a kicker before it (a section heading that opens a tutorial stays)."""
    key = " ".join((title or "").split()).casefold()
    if not key:
        return
    headings = _tags(soup, HEADINGS)
    for heading in headings:
        if " ".join(heading.get_text(" ").split()).casefold() == key:
            heading.decompose()
    tags = (element for element in soup.descendants if isinstance(element, Tag))
    first = next((element for element in tags if element.name not in WRAPPER_TAGS and element.get_text(strip=True)), None)
    if first is not None and first.name in OPENING_HEADLINE_TAGS and _similar(first.get_text(" "), key):
        first.decompose()


def _marked_text(soup: BeautifulSoup) -> str:
    """The soup's text (the strings ``soup.get_text()`` joins) with the marks that make paragraphs: a line break for
    each ``<br>``, a blank line before and after each block, a bullet opening each list item, a space closing each
    table cell. One walk of the soup, rather than marks put into it before ``get_text()``: the same text without
    BeautifulSoup's insertions, which were a third of the cleaning."""
    text_types = soup.interesting_string_types or {NavigableString}
    pieces: list[str] = []
    open_elements: list[tuple[Iterator[PageElement], str]] = [(iter(soup.contents), "")]
    """The children still to walk of each element entered, the innermost last, and the mark that closes it."""
    while open_elements:
        children, closing = open_elements[-1]
        child = next(children, None)
        if child is None:
            open_elements.pop()
            pieces.append(closing)
        elif isinstance(child, Tag) and child.name in LINE_BREAK_TAGS:
            pieces.append("\n")
        elif isinstance(child, Tag):
            name = child.name
            block = PARAGRAPH_BREAK if name in BLOCK_TAGS else ""
            pieces.append(block + LIST_ITEM_MARK if name in LIST_ITEM_TAGS else block)
            open_elements.append((iter(child.contents), (" " if name in CELL_TAGS else "") + block))
        elif isinstance(child, NavigableString) and type(child) in text_types:
            pieces.append(child)
    return "".join(pieces)


def _paragraphs(soup: BeautifulSoup) -> list[str]:
    text = INVISIBLE_CHARACTERS.sub("", _marked_text(soup))
    paragraphs = (" ".join(chunk.split()) for chunk in BLANK_LINES.split(text))
    return [p for p in paragraphs if p and p != LIST_ITEM_MARK.strip()]


def _without_repeated_title(paragraphs: list[str], title: str | None) -> list[str]:
    key = " ".join((title or "").split()).casefold()
    start = 0
    while key and start < len(paragraphs) and paragraphs[start].casefold() == key:
        start += 1
    return paragraphs[start:]


def _without_tail(paragraphs: list[str]) -> list[str]:
    """Cut at a "Related articles"-like block once enough of the article is behind it."""
    total = sum(len(p.split()) for p in paragraphs)
    words_before = 0
    for index, paragraph in enumerate(paragraphs):
        words = len(paragraph.split())
        article_behind = words_before >= min(TAIL_MIN_WORDS_BEFORE, total / 2)
        if article_behind and words <= END_OF_ARTICLE_MAX_WORDS and END_OF_ARTICLE.match(paragraph):
            return paragraphs[:index]
        words_before += words
    return paragraphs


def clean_body(body_html: str, title: str | None = None) -> str:
    """Clean article text from a body fragment: paragraphs separated by one blank line.

    ``title``, when given, is dropped where the body repeats it as its first paragraph.
    """
    if not body_html.strip():
        return ""
    soup = BeautifulSoup(body_html, "lxml")
    _decompose(
        element
        for element in soup.find_all(True)
        if element.name in NON_BODY_TAGS or is_boilerplate_element(element.name, element.get("class"), element.get("id"))
    )
    _drop_lists_under_boilerplate_headings(soup)
    _drop_headline(soup, title)
    return PARAGRAPH_BREAK.join(_without_furniture(_without_tail(_without_repeated_title(_paragraphs(soup), title))))
