"""An article's authors: the first source that names any, cleaned of bylines' junk.

Sources, most trusted first: the JSON-LD article's ``author`` (references into the graph
resolved), then author ``<meta>`` tags one name at a time, then byline markup inside the
article. A source is used whole or not at all, so a page's author meta is never mixed
with the names of a "trending" sidebar. Cleaning drops "By", URLs, profile slugs,
photo credits, the site's own name and duplicates.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from crawler.extraction import json_ld
from crawler.extraction.meta_tags import MetaTags

AUTHOR_PREFIX = re.compile(r"^\s*(by|written by|posted by|author:?)\s+", re.IGNORECASE)
AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\|)\s*", re.IGNORECASE)
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl")
NOT_A_NAME = re.compile(r"[()\[\]:@/\\<>{}=\d]")
"""Characters that no author name has but photo credits, handles, URLs and markup do."""
GENERIC_AUTHORS = frozenset({"admin", "administrator", "unknown"})
ROLE_WORDS = frozenset(
    {
        "staff",
        "editor",
        "editors",
        "editorial",
        "senior",
        "contributor",
        "contributing",
        "writer",
        "reporter",
        "correspondent",
        "guest",
        "team",
        "desk",
        "news",
        "author",
        "columnist",
        "freelance",
        "managing",
        "associate",
        "deputy",
        "chief",
    }
)
"""A byline made of these words only names a role, not a person ("Senior Editor", "Staff Writer")."""
TRAILING_AFFILIATION = re.compile(r"\s*\([^()]*\)$")
""""Jane Doe (It's FOSS)": the name without its outlet."""
MAX_AUTHORS = 20
MAX_NAME_LENGTH = 80


def _is_name(name: str, excluded: set[str]) -> bool:
    if not name or len(name) > MAX_NAME_LENGTH or name.casefold() in excluded:
        return False
    if set(name.casefold().split()) <= ROLE_WORDS:
        return False
    if NOT_A_NAME.search(name) or not re.search(r"\w", name):
        return False
    # A single lower-case word is a profile slug or a login ("ada-lovelace", "jbrean"), not a byline.
    return not (name.islower() and not re.search(r"\s", name))


def clean_authors(candidates: list[str], site_name: str | None) -> list[str]:
    """Author names without "By", URLs, slugs, credits, the site's own name or duplicates."""
    excluded = {(site_name or "").casefold(), *GENERIC_AUTHORS}
    authors: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        candidate = AUTHOR_PREFIX.sub("", " ".join(candidate.split()))
        if candidate.startswith(("http://", "https://", "/")):
            continue
        for name in AUTHOR_SPLIT.split(candidate):
            name = TRAILING_AFFILIATION.sub("", AUTHOR_PREFIX.sub("", name.strip(" .·-–—")))
            if _is_name(name, excluded) and name.casefold() not in seen:
                seen.add(name.casefold())
                authors.append(name)
    return authors[:MAX_AUTHORS]


def _byline_scope(tree: HtmlElement) -> HtmlElement:
    """The article element holding the headline, else ``<main>``, else the whole page."""
    for xpath in ("//article[.//h1]", "//main"):
        found = tree.xpath(xpath)
        if found:
            return found[0]
    return tree


def _markup_names(tree: HtmlElement) -> list[str]:
    scope = _byline_scope(tree)
    names = [a.text_content() for a in scope.xpath('.//a[@rel="author"]')]
    for element in scope.xpath('.//*[@itemprop="author"]'):
        inner = element.xpath('.//*[@itemprop="name"]')
        value = inner[0] if inner else element
        names.append(value.get("content") or value.text_content())
    return names


def extract_authors(tree: HtmlElement, meta: MetaTags, article: dict[str, Any], objects: list[dict[str, Any]], site_name: str | None) -> list[str]:
    """The page's authors from the first source that names any (see the module's docstring)."""
    sources = [json_ld.names(json_ld.resolve(article.get("author"), objects))]
    sources += [meta.values(key) for key in AUTHOR_META]
    for candidates in sources:
        authors = clean_authors(candidates, site_name)
        if authors:
            return authors
    return clean_authors(_markup_names(tree), site_name)
