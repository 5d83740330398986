"""Put back the parts of an article that a site splits into several containers of the same kind.

Some sites cut an article into chunks (between ads, or per section), each in its own
element with the same tag and class, side by side. A generic extractor picks the best
container and loses the others. Given the tree and the extractor's body, this finds the
container most of the extracted paragraphs come from and, where the page holds other
elements of the same tag and class close to it (a common ancestor a few levels up, and
the same enclosing ``<article>``, so that the excerpts of related posts, each an article
of its own, never join) with paragraphs the body lacks, returns the body with those
chunks in page order.
"""

from __future__ import annotations

from collections import Counter

from lxml.html import HtmlElement, fragment_fromstring, tostring

MAX_CHUNK_DISTANCE = 3
"""Chunks share an ancestor at most this many levels above each of them."""
MIN_CHUNK_WORDS = 20
"""A chunk is put back only if its paragraphs the body lacks hold this many words."""
KEY_CHARS = 80


def _key(text: str) -> str:
    return " ".join(text.split())[:KEY_CHARS]


def page_paragraphs(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """Each ``<p>`` of the page with its text, whitespace normalised: read once for all that weighs the page's paragraphs."""
    return [(p, " ".join(p.text_content().split())) for p in tree.iter("p")]


def parse_fragment(html: str) -> HtmlElement | None:
    """A body fragment as one element (None for no HTML), parsed once for all that reads it."""
    try:
        return fragment_fromstring(html, create_parent="div") if html else None
    except ValueError:
        return None


def _paragraph_keys(body: HtmlElement | None) -> set[str]:
    return {_key(p.text_content()) for p in body.iter("p")} - {""} if body is not None else set()


def _ancestors(element: HtmlElement, levels: int) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    parent = element.getparent()
    while parent is not None and len(found) < levels:
        found.append(parent)
        parent = parent.getparent()
    return found


def _enclosing_article(element: HtmlElement) -> HtmlElement | None:
    return next(element.iterancestors("article"), None)


def _missing_words(chunk: HtmlElement, known: set[str], texts: dict[HtmlElement, str]) -> int:
    """The words of the chunk's paragraphs (``texts``: each paragraph's of :func:`page_paragraphs`) the body lacks."""
    return sum(len(texts[p].split()) for p in chunk.iter("p") if texts[p][:KEY_CHARS] not in known)


def with_sibling_chunks(tree: HtmlElement, paragraphs: list[tuple[HtmlElement, str]], body_html: str, body: HtmlElement | None) -> str:
    """``body_html`` (parsed: ``body``) with the missing chunks of a split article (see the module docstring), or unchanged;
    ``paragraphs`` are the tree's (:func:`page_paragraphs`)."""
    known = _paragraph_keys(body)
    if not known:
        return body_html
    parents = Counter(p.getparent() for p, text in paragraphs if text[:KEY_CHARS] in known and p.getparent() is not None)
    if not parents:
        return body_html
    container, count = parents.most_common(1)[0]
    classes = container.get("class")
    if not classes or count * 2 < len(known):
        return body_html
    near = set(_ancestors(container, MAX_CHUNK_DISTANCE))
    article = _enclosing_article(container)
    chunks = [
        element
        for element in tree.iter(container.tag)
        if element.get("class") == classes and near.intersection(_ancestors(element, MAX_CHUNK_DISTANCE)) and _enclosing_article(element) is article
    ]
    texts = dict(paragraphs)
    extra = [chunk for chunk in chunks if chunk is not container and _missing_words(chunk, known, texts) >= MIN_CHUNK_WORDS]
    if not extra:
        return body_html
    return "".join(
        body_html if chunk is container else tostring(chunk, encoding="unicode", with_tail=False)
        for chunk in chunks
        if chunk is container or chunk in extra
    )
