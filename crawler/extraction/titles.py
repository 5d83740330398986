"""The article's title, chosen among what the page states it to be: JSON-LD, the social title, the heading.

Pages name their article several times over, not always alike: a stale or shortened
JSON-LD headline, a social title with the site's name or a section in its tail, an
``<h1>`` in the breadcrumb trail that is the search engines' title rather than the
headline shown, a kicker above the headline, text from a mis-encoded tag. This module
reads each statement, mends it and lets the statements vote.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Set
from typing import Any

from lxml.html import HtmlElement

from crawler.extraction import json_ld
from crawler.extraction.authors import site_key
from crawler.extraction.encoding import UTF8, WEB_DEFAULT
from crawler.extraction.meta_tags import MetaTags
from crawler.extraction.selectors import BREADCRUMB, NAVIGATION_TAG

TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / ", "｜", "：")
"""Between a title and a tail naming a section or the site; Chinese and Japanese titles use full-width bars and colons without spaces."""
MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u0152-\u017e\u2013-\u203a]|â€")
"""The marks of UTF-8 read as Windows-1252: "Ã¼" for "ü", "â€™" for "’"."""
WORD = re.compile(r"\w")
WORDS = re.compile(r"\w+")
QUOTES = re.compile('["“”„«»]')
"""Quotation marks, which one statement of a title may put round a phrase and another leave out."""
ELLIPSES = ("…", "...")
"""The marks of a title cut short to fit a tag or a teaser."""
KICKER_SEPARATOR = ": "
"""Between a kicker and its headline where a site writes them as one title ("Kicker: Headline")."""


def repair_mojibake(text: str) -> str:
    """UTF-8 that was decoded as Windows-1252 ("fÃ¼r") decoded again ("für"); any other text unchanged."""
    if not MOJIBAKE.search(text):
        return text
    try:
        return text.encode(WEB_DEFAULT).decode(UTF8)
    except UnicodeError:
        return text


def _unquoted(title: str) -> str:
    """The title's words without quotation marks, as titles are compared in the vote."""
    return " ".join(QUOTES.sub("", title).split())


def _names_site(part: str, site: Set[str], last: bool) -> bool:
    """The part of a title names the site (see ``site_keys``); the title's last part also where the site's name is
    its first or last words and the others are capitalised ("CBC News", "Die Neue Südtiroler Tageszeitung")."""
    if site_key(part) in site:
        return True
    if not last:
        return False
    words = part.split()
    capitalised = [word[0].isupper() or not WORD.search(word) for word in words]
    return any(
        (all(capitalised[cut:]) and site_key(" ".join(words[:cut])) in site) or (all(capitalised[:cut]) and site_key(" ".join(words[cut:])) in site)
        for cut in range(1, len(words))
    )


def _clean_title(title: str, site: Set[str]) -> str:
    """The title, whitespace and mojibake mended, without a " | Site" tail naming the site (:func:`_names_site`) and
    whatever follows the site's name (" – Site – 13.06.2023", " | Site | Section")."""
    title = repair_mojibake(" ".join(html.unescape(title).split()))
    for separator in TITLE_SEPARATORS:
        parts = title.split(separator)
        site_part = next((index for index, part in enumerate(parts[1:], 1) if _names_site(part, site, index == len(parts) - 1)), None)
        if site_part is not None and parts[0].strip():
            return separator.join(parts[:site_part]).strip()
    return title


def _without_suffix(title: str, others: list[str]) -> str:
    """``title`` without a " | Section | Site" tail, where another of the page's titles is ``title`` up to that tail;
    ``title`` cut short (:func:`_cut_short`) as the other it begins."""
    for other in sorted(set(others), key=len):
        if len(other) < len(title) and title.startswith(other) and title[len(other) :].startswith(TITLE_SEPARATORS):
            return other
    return next((other for other in others if _cut_short(title, other)), title)


def _cut_short(title: str, other: str) -> bool:
    """``title`` is ``other`` cut short: the words before an ellipsis ("Rates hold steady as…"), or ``other`` up to a
    quotation mark (a tag's attribute ends at a quotation mark its site left unescaped)."""
    if title.endswith(ELLIPSES):
        beginning = title.removesuffix("…").removesuffix("...").rstrip()
        return WORD.search(beginning) is not None and other.startswith(beginning) and not other.endswith(ELLIPSES)
    return len(title) < len(other) and other.startswith(title) and other[len(title) :].lstrip().startswith('"')


def _heading_text(heading: HtmlElement) -> str:
    """The heading's words, without those of any ``<style>`` or ``<script>`` inside it."""
    return " ".join("".join(heading.xpath(".//text()[not(ancestor::style or ancestor::script)]")).split())


def _in_navigation(element: HtmlElement) -> bool:
    """The element is part of the page's navigation: inside a ``<nav>`` or a breadcrumb trail."""
    return any(
        node.tag == NAVIGATION_TAG or BREADCRUMB.search(node.get("class") or "") or BREADCRUMB.search(node.get("id") or "")
        for node in (element, *element.iterancestors())
    )


def _may_be_headline(heading: HtmlElement, site: Set[str], among_several: bool) -> bool:
    """The heading is not the site's logo (its name, :func:`_names_site`) nor, among several, a one-word label ("Roma", "Videos")."""
    text = _heading_text(heading)
    return not _names_site(text, site, last=True) and not (among_several and len(WORDS.findall(text)) < 2)


def _headline_heading(tree: HtmlElement, site: Set[str]) -> HtmlElement | None:
    """The heading shown above the article: the page's first ``<h1>`` outside its navigation that may be a headline.

    An ``<h1>`` in a breadcrumb trail or a ``<nav>`` names the page for search engines
    (often the ``<title>``, not the headline shown): where every ``<h1>`` sits there, the
    headline is the first ``<h2>`` after them outside the navigation. Where a page has
    several ``<h1>`` outside its navigation, the article's comes first and those of teasers,
    sections and the comments after it; the site's logo and one-word section labels are
    passed over (:func:`_may_be_headline`). None where the page has no ``<h1>`` that may be
    a headline.
    """
    h1s = [h1 for h1 in tree.iter("h1") if _heading_text(h1)]
    own = [h1 for h1 in h1s if not _in_navigation(h1)]
    if own or not h1s:
        return next((h1 for h1 in own if _may_be_headline(h1, site, among_several=len(own) > 1)), None)
    return next((h2 for h2 in h1s[-1].xpath("following::h2") if _heading_text(h2) and not _in_navigation(h2)), None)


def _heading_forms(heading: HtmlElement) -> list[str]:
    """What the heading states as the headline: the text it shows, and under a kicker the headline alone (first) and "Kicker: Headline".

    A heading made of parts, child elements with words and no words of its own between
    them (``<span>Kicker</span><span hidden>: </span><span>Headline</span>``), shows a kicker
    (every part but the last) above its headline (the last part). Sites title the article
    either way, so the heading states both; its headline without the kicker comes first.
    """
    shown = _heading_text(heading)
    parts = [text for text in map(_heading_text, heading.iterchildren("*")) if WORD.search(text)]
    if len(parts) < 2 or WORD.search("".join(heading.xpath("text()"))):
        return [shown]
    kicker, headline = " ".join(parts[:-1]), parts[-1]
    return [headline, shown, f"{kicker}{KICKER_SEPARATOR}{headline}"]


def extract_title(tree: HtmlElement, meta: MetaTags, article: dict[str, Any], site: Set[str]) -> str:
    """The headline: JSON-LD ``headline``, the social title, the heading shown above the article (:func:`_headline_heading`), by majority.

    Each source states one title, the heading one or several (:func:`_heading_forms`); the
    title most sources state wins. Where two of the three agree and the third differs (a
    stale or shortened JSON-LD headline, say), the two win; where the sources are split
    between a headline with its kicker and the same without, the headline without it wins;
    otherwise the first present wins, in that order, and among the heading's forms the one
    the page's ``<title>`` states (a site titles its pages the way it titles the article,
    with the kicker or without it). Titles that differ only in quotation
    marks are one title in the vote, given without them where any source states it so. A
    title that is another of them (or the page's ``<title>``) followed by a separator and
    more (a section, the site's name in another spelling) counts as that other, and so does
    a title cut short (an ellipsis, an attribute ended by a quotation mark). Mojibake is
    repaired. A page with none of them gets its ``<title>`` without the site name.
    """
    social = meta.first("og:title", "twitter:title")
    page_title = _clean_title(tree.findtext(".//title") or "", site)
    heading = _headline_heading(tree, site)
    stated = [[value] for value in (json_ld.text(article.get("headline")), social) if value]
    if heading is not None:
        stated.append(_heading_forms(heading))
    if not stated:
        return page_title
    cleaned = [[_clean_title(title, site) for title in titles] for titles in stated]
    every_title = [title for titles in cleaned for title in titles]
    by_source = [[_without_suffix(title, [*every_title, page_title]) for title in titles] for titles in cleaned]
    without_kicker = by_source[-1][0] if heading is not None and len(by_source[-1]) > 1 else None
    if without_kicker is not None:
        by_source[-1].sort(key=lambda title: _unquoted(title) != _unquoted(page_title))
    candidates = [title for titles in by_source for title in titles]
    votes = Counter(words for titles in by_source for words in {_unquoted(title) for title in titles})
    winner = _unquoted(max(candidates, key=lambda title: (votes[_unquoted(title)], votes[_unquoted(title)] > 1 and title == without_kicker)))
    return min((title for title in candidates if _unquoted(title) == winner), key=lambda title: len(QUOTES.findall(title)))
