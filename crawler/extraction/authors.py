"""An article's authors: the first source that names any, cleaned of bylines' junk.

Sources, most trusted first: the JSON-LD article's ``author`` (references into the graph
resolved, a person given as ``givenName`` and ``familyName`` joined), then author
``<meta>`` tags one name at a time, then byline markup inside the article (``rel=author``,
``itemprop=author``, links to author pages whose address spells the name, byline
classes), then a short "By ..." text after the headline. A source is used whole or not at
all, so a page's author meta is never mixed with the names of a "trending" sidebar.
Cleaning drops "By", URLs, profile slugs, handles, photo credits, role words (alone or
after a name), affiliations and duplicates, splits "A and B" in the languages of
:data:`CONJUNCTIONS`, and turns the "Last, First" of citation and Dublin Core tags into
"First Last".

An organisation is an author too: a news agency (:data:`NEWS_AGENCIES`), a desk, the
paper itself. The site's own name (or its company's, "... GmbH", "... Inc."), though, is
what many pages give where they name no one, so it is the byline only when no source
names anyone else: a source that names the site beside people gives the people, and one
that names only the site is kept as the answer of last resort while later sources are
asked for a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Set
from functools import cache, partial
from itertools import islice
from typing import Any

from lxml.etree import Element, XPath
from lxml.html import HtmlElement

from crawler.extraction import json_ld
from crawler.extraction.meta_tags import MetaTags
from crawler.extraction.selectors import DATE_LABELS

AUTHOR_PREFIX = re.compile(
    r"^\s*(by|written by|posted by|author:?|(?-i:von|par|por|di|da|door|av|af|(Von|Par|Por)(?= [A-ZÀ-Þ]|$)))(\s+|$)", re.IGNORECASE
)
"""What a byline says before the name: "By", and the "von", "par", "por", ... of other languages (capitalised
only before a capitalised word, so that "Von der Leyen" keeps her name); alone, it is a label without a name."""
DATE_LABEL = re.compile(rf"\b({DATE_LABELS})\b(?! by\b).*$", re.IGNORECASE)
"""A byline's date and all after it ("Ada Lovelace Published 4 June 2024 Updated ...")."""
CONJUNCTIONS = ("and", "with", "und", "og", "och")
"""Words that join two names in a byline ("A and B", "A with B", "A und B", "A og B"); "et", "y", "e" are left alone:
"Le Figaro et AFP" is one byline."""
AUTHOR_SPLIT = re.compile(r"\s*(?:,(?!\s*(?-i:Jr|Sr|II|III|IV)\b)|;|&|\|)\s*|\s+[–—•·-]\s+|\s+(?:" + "|".join(CONJUNCTIONS) + r")\s+", re.IGNORECASE)
TRAILING_PERIOD = re.compile(r"(?<!Jr)(?<!Sr)[\s.]+$")
"""A full stop after a name, not that of "Jr." and "Sr.", which a comma does not part from the name ("King, Jr.")."""
AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "cxenseparse:author",
    "byl",
    "dc.creator",
    "dcterms.creator",
    "citation_author",
)
WRITTEN_BY_LABEL = re.compile(
    r"^(written by|author|verfasst von|geschrieben von|autor(in)?|escrito por|écrit par|scritto da|geschreven door|skrevet av)$", re.IGNORECASE
)
"""The label of a ``twitter:labelN``/``twitter:dataN`` pair whose data is the author (as WordPress SEO plugins write it)."""
BYLINE_CLASS = re.compile("author|byline|attribution", re.IGNORECASE)
"""The class of a byline element, in any case."""
NO_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
"""Elements whose text is no byline text: code, and the titles of icons."""
BYLINE_SCOPES = (XPath("//article[.//h1]"), XPath("//main"))
"""Where the byline markup is looked for, the first found: the article holding the headline, else ``<main>``."""
AUTHOR_LINKS = XPath('.//a[@rel="author"]')
ITEMPROP_AUTHORS = XPath('.//*[@itemprop="author"]')
ITEMPROP_NAMES = XPath('.//*[@itemprop="name"]')
AUTHOR_PAGE = r"/(authors?|autor(en|es|i|e)?|auteurs?|journalist(s|en|er)?|contributors?|writers?|columnists?|reporters?)/"
"""The folder of an author's page in its address ("/author/ada-lovelace", "/autoren/…", "/journalists/…")."""
AUTHOR_PAGE_LINKS = XPath(f".//a[re:test(@href, '{AUTHOR_PAGE}[^/?#]', 'i')]", namespaces={"re": "http://exslt.org/regular-expressions"})
AUTHOR_PAGE_FOLDER = re.compile(AUTHOR_PAGE, re.IGNORECASE)
ABBREVIATED_TITLES = re.compile(r"^(\S+\.\s+)+")
"""Abbreviated titles before a name ("Dr.", "Prof. Dr."), which an author page's address leaves out ("/autoren/max-kolter")."""
AFTER_THE_HEADLINE = XPath("(//h1)[1]/following::*[position() <= 40]")
"""The elements that follow the page's first ``<h1>``, where a byline without byline markup stands."""
MAX_BYLINE_CHARACTERS = 120
"""A longer text after the headline is a standfirst or a paragraph, not a byline."""
MAX_BYLINE_LOWER_CASE_WORDS = 3
"""A byline is no sentence: its name comes capitalised, its words in lower case are a few "and", "von der", "in" at most
("By the numbers" is a heading)."""
MENU_CLASS = re.compile("menu", re.IGNORECASE)
MENU_LEVELS = 4
"""How far up from a link a menu's class is looked for: its item and list, not the page's wrapper that opens the menu."""
CO_AUTHOR_LEVELS = 3
"""How far up a co-author's byline element and the first one's meet, at most ("<a><span>A</span></a><a><span>B</span></a>")."""
NOT_BYLINE_CLASS = re.compile(r"box|bio|avatar|image|img|photo|picture|caption|credit|description|about|social|follow|more", re.IGNORECASE)
"""A class naming the author's box, biography, picture or links, or a picture's caption and credit, not the byline itself."""
LAST_FIRST_META = frozenset({"dc.creator", "dcterms.creator", "citation_author"})
"""Tags that give one name each as "Last, First" (citation and Dublin Core conventions)."""
LAST_FIRST = re.compile(r"^\s*(?P<last>[^,;]+?)\s*,\s*(?P<first>[^,;]+?)\s*$")
NOT_A_NAME = re.compile(r"[()\[\]:@/\\<>{}=]|\b\d+\b")
"""Characters and numbers that no author name has but photo credits, handles, URLs, dates and markup do."""
DOMAIN_NAME = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
"""A byline such as "ndr.de" or "mbl.is": a site signing as its domain, lower case though it is."""
NEWS_AGENCIES = frozenset(
    {
        "dpa",
        "afp",
        "ap",
        "apa",
        "sda",
        "ansa",
        "efe",
        "epd",
        "kna",
        "dts",
        "sid",
        "ntb",
        "tt",
        "anp",
        "belga",
        "ctk",
        "pap",
        "reuters",
        "kyodo",
        "yonhap",
    }
)
"""Agencies that sign in lower case or as one short word, which would otherwise pass for a login."""
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
ROLE_NOUNS = frozenset({"reporter", "correspondent", "editor", "writer", "columnist", "contributor", "journalist", "producer", "photographer"})
"""A part of a byline after a name that ends in one of these is that person's role ("Ada Lovelace, Political Correspondent")."""
TRAILING_PLACE_OR_OUTLET = re.compile(r"\s+(in|for)\s+\S.*$", re.IGNORECASE)
"""Where or for whom the byline's author wrote ("Ada Lovelace in Kyiv", "Ada Lovelace for Example.com"): no part of a name."""
ADDRESS_OR_HANDLE = re.compile(r"\S*@\S*")
""""Ada Lovelace @ada", "Ada Lovelace ada@news.example": the name without its social-media handle or e-mail address."""
TRAILING_ROLE = re.compile(r"\s+(기자|특파원|記者|特派員)$")
"""Korean and Japanese bylines put the role after the name ("신현주 기자": reporter Shin Hyun-ju)."""
TRAILING_AFFILIATION = re.compile(r"\s*\([^()]*\)$")
""""Jane Doe (It's FOSS)": the name without its outlet."""
COMPANY = re.compile(r"\s(GmbH|AG|Inc|LLC|Ltd|Limited|plc|S\.?A|S\.?L|S\.?p\.?A|SAS|Corp|Corporation|B\.?V|N\.?V|Pty)\.?$")
"""A name ending in a company's legal form is the publishing company, named where a page names no author."""
SITE_NAME_SEPARATORS = re.compile(r"\s+[|–—-]\s+")
LEADING_ARTICLE = re.compile(r"^the\s+")
""""The Example Post" and "Example Post" are one site."""
DOMAIN_SUFFIX = re.compile(r"^www\.|(\.[a-z]{2,3})?\.[a-z]{2,}$")
MAX_AUTHORS = 20
MAX_NAME_LENGTH = 80
MAX_NAME_WORDS = 6
MAX_LOWER_CASE_WORDS = 2
"""A longer part of a byline, or one with more lower-case words than "von der", is a description
("professor of the faculty of ..."), not a name."""


def site_keys(site_names: list[str | None]) -> set[str]:
    """How the site's names compare: each part of "Name – Other name", case, domain suffix and punctuation aside."""
    keys = {site_key(part) for name in site_names if name for part in [name, *SITE_NAME_SEPARATORS.split(name)]}
    return keys - {""}


def site_key(name: str) -> str:
    """A name as site names compare: case, a leading "The", a ``www.`` and a domain suffix, punctuation and spaces aside."""
    return re.sub(r"[\W_]+", "", DOMAIN_SUFFIX.sub("", LEADING_ARTICLE.sub("", name.strip().casefold())))


def _is_name(name: str, site: Set[str]) -> bool:
    folded = name.casefold()
    if not name or len(name) > MAX_NAME_LENGTH or len(name.split()) > MAX_NAME_WORDS or folded in GENERIC_AUTHORS:
        return False
    if folded in NEWS_AGENCIES or DOMAIN_NAME.match(name) or site_key(name) in site:
        return True
    if set(folded.split()) <= ROLE_WORDS or sum(word.islower() for word in name.split()) > MAX_LOWER_CASE_WORDS:
        return False
    if NOT_A_NAME.search(name) or not re.search(r"\w", name):
        return False
    # A single lower-case word is a profile slug or a login ("ada-lovelace", "jbrean"), not a byline.
    return not (name.islower() and not re.search(r"\s", name))


def _first_last(name: str) -> str:
    """ "Lovelace, Ada" as "Ada Lovelace"."""
    match = LAST_FIRST.match(name)
    return f"{match['first']} {match['last']}" if match else name


def clean_authors(candidates: list[str], site: Set[str] = frozenset()) -> list[str]:
    """Author names without "By", URLs, slugs, credits, roles, affiliations or duplicates; ``site``: the :func:`site_keys`."""
    authors: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        candidate = DATE_LABEL.sub("", AUTHOR_PREFIX.sub("", " ".join(ADDRESS_OR_HANDLE.sub("", candidate).split())))
        if candidate.startswith(("http://", "https://", "/")):
            continue
        for position, name in enumerate(AUTHOR_SPLIT.split(candidate)):
            name = TRAILING_PERIOD.sub("", name.strip(" ·-–—")).lstrip(". ")
            name = TRAILING_AFFILIATION.sub("", AUTHOR_PREFIX.sub("", name))
            name = TRAILING_ROLE.sub("", TRAILING_PLACE_OR_OUTLET.sub("", name))
            if position and name.rpartition(" ")[2].casefold() in ROLE_NOUNS:
                continue  # "Ada Lovelace, Political Correspondent": the role of the name before it
            if _is_name(name, site) and name.casefold() not in seen:
                seen.add(name.casefold())
                authors.append(name)
    return authors[:MAX_AUTHORS]


def _byline_scope(tree: HtmlElement) -> HtmlElement:
    """The article element holding the headline, else ``<main>``, else the whole page."""
    for xpath in BYLINE_SCOPES:
        found = xpath(tree)
        if found:
            return found[0]
    return tree


def _markup_names(scope: HtmlElement) -> list[str]:
    """Names in the byline markup of the article's ``scope`` (:func:`_byline_scope`): ``rel=author`` links, ``itemprop=author``."""
    names = [a.text_content() for a in AUTHOR_LINKS(scope)]
    for element in ITEMPROP_AUTHORS(scope):
        inner = ITEMPROP_NAMES(element)
        value = inner[0] if inner else element
        names.append(value.get("content") or value.text_content())
    return names


def _byline_text(element: HtmlElement) -> str:
    """The element's text, its children's texts apart ("von<a>Ada</a>" reads "von Ada")."""
    return " ".join(element.itertext())


def _co_author(first: HtmlElement, other: HtmlElement) -> bool:
    """``other`` repeats the markup of the byline element ``first`` (tag and class) within a few levels of it: a co-author's name."""
    if other.tag != first.tag or other.get("class") != first.get("class"):
        return False
    near = list(islice(first.iterancestors(), CO_AUTHOR_LEVELS))
    return any(ancestor is meeting for ancestor in islice(other.iterancestors(), CO_AUTHOR_LEVELS) for meeting in near)


def _own_byline_text(element: HtmlElement) -> str:
    """The element's text without that of the byline elements inside it (a byline's source, date, author box)."""
    pieces = [element.text or ""]
    for child in element.iterchildren():
        if isinstance(child.tag, str) and child.tag not in NO_TEXT_TAGS and not BYLINE_CLASS.search(child.get("class", "")):
            pieces.append(_own_byline_text(child))
        pieces.append(child.tail or "")
    return " ".join(pieces)


def _byline_class_names(scope: HtmlElement) -> list[str]:
    """The names in the first byline of the article's ``scope`` (:func:`_byline_scope`): the first element whose class
    names a byline or an author and whose own text (:func:`_own_byline_text`) holds a name (later ones are comments,
    teasers, other stories), with the co-authors beside it in the same markup (:func:`_co_author`)."""
    classes = ((element, element.get("class", "")) for element in scope.iterdescendants(Element))
    bylines = [element for element, names in classes if BYLINE_CLASS.search(names) and not NOT_BYLINE_CLASS.search(names)]
    for index, element in enumerate(bylines):
        if clean_authors([_own_byline_text(element)]):
            co_authors = [other for other in bylines[index + 1 :] if _co_author(element, other)]
            return clean_authors([_own_byline_text(byline) for byline in [element, *co_authors]])
    return []


def _slug(text: str) -> str:
    """``text`` as addresses spell it: "Ada Lovelace" as "ada-lovelace", "Jörg" as "jorg"."""
    ascii_text = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _spells_its_address(link: HtmlElement) -> bool:
    """The link's text is the name its address spells after the author pages' folder ("Ada Lovelace" to
    "/author/ada-lovelace/", "Dr. Ada Lovelace" too: :data:`ABBREVIATED_TITLES`), not "More articles"."""
    href = link.get("href") or ""
    folder = AUTHOR_PAGE_FOLDER.search(href)
    slug = _slug(ABBREVIATED_TITLES.sub("", " ".join(_byline_text(link).split())))
    return folder is not None and bool(slug) and slug in href[folder.end() :].casefold()


def _co_author_link(first: HtmlElement, other: HtmlElement) -> bool:
    """``other`` is a co-author's link beside the link ``first``: in the same element ("<a>A</a>, <a>B</a> and <a>C</a>"),
    or in a byline element that repeats the first's ("<div class=author><a>A</a></div><div class=author><a>B</a></div>")."""
    parent, other_parent = first.getparent(), other.getparent()
    return other_parent is parent or (bool(BYLINE_CLASS.search(parent.get("class", ""))) and _co_author(parent, other_parent))


def _in_menu(link: HtmlElement) -> bool:
    """The link is an item of the site's menus: inside a ``<nav>`` or a ``<footer>``, or a few levels inside an element
    whose class names a menu ("<li class=menu-item><a href=/author/...>")."""
    return any(node.tag in ("nav", "footer") for node in link.iterancestors()) or any(
        MENU_CLASS.search(node.get("class", "")) for node in islice(link.iterancestors(), MENU_LEVELS)
    )


def _author_page_names(scope: HtmlElement) -> list[str]:
    """The name on the first link in the article's ``scope`` (:func:`_byline_scope`) to an author's page that spells it
    in its address, with the co-authors' links beside it (:func:`_co_author_link`)."""
    links = [link for link in AUTHOR_PAGE_LINKS(scope) if _spells_its_address(link) and not _in_menu(link)]
    if not links:
        return []
    first, *others = links
    return [_byline_text(link) for link in [first, *(other for other in others if _co_author_link(first, other))]]


BYLINE_LINK_SOURCES = (_markup_names, _author_page_names)
"""Byline markup that names each author apart: ``rel=author`` links, ``itemprop=author``, links to author pages."""


def _byline_text_names(tree: HtmlElement) -> list[str]:
    """The names of the first short element after the headline whose text starts as a byline does ("By <a>Ada</a>",
    "von Ada Lovelace"), or of the element round a "By" alone ("<span>By</span> <a>Ada</a>"): a byline in markup
    that names no author or byline."""
    for element in AFTER_THE_HEADLINE(tree):
        if element.text and AUTHOR_PREFIX.match(element.text):
            label_alone = not AUTHOR_PREFIX.sub("", element.text).strip() and not len(element)
            text = " ".join(_byline_text(element.getparent() if label_alone else element).split())
            words = DATE_LABEL.sub("", AUTHOR_PREFIX.sub("", text)).split()
            capitalised = bool(words) and words[0][:1].isupper()
            is_byline = capitalised and len(text) <= MAX_BYLINE_CHARACTERS and sum(word.islower() for word in words) <= MAX_BYLINE_LOWER_CASE_WORDS
            names = clean_authors([text]) if is_byline else []
            if names:
                return names
    return []


def _written_by(meta: MetaTags) -> list[str]:
    """The ``twitter:dataN`` whose ``twitter:labelN`` says "Written by" (in any of :data:`WRITTEN_BY_LABEL`'s languages)."""
    labels = {key.removeprefix("twitter:label"): value for key, value in meta.tags if key.startswith("twitter:label")}
    return [
        value
        for key, value in meta.tags
        if key.startswith("twitter:data") and WRITTEN_BY_LABEL.match(labels.get(key.removeprefix("twitter:data"), ""))
    ]


def _meta_names(meta: MetaTags, key: str) -> list[str]:
    values = meta.values(key)
    if key in LAST_FIRST_META:
        return [_first_last(name) for value in values for name in value.split(";")]
    return values


def _people(authors: list[str], site: Set[str]) -> list[str]:
    """The authors that are not the site itself."""
    return [name for name in authors if site_key(name) not in site and not COMPANY.search(name)]


def _with_co_authors(people: list[str], scope: HtmlElement, site: Set[str]) -> list[str]:
    """``people`` as an author ``<meta>`` tag names them, or the byline's linked names where the tag names only the
    first of them (``rel=author``, ``itemprop=author``, author pages' links: not the byline's text, which may hold a dateline)."""
    if len(people) > 1:
        return people
    linked = next((found for found in (_people(clean_authors(source(scope)), site) for source in BYLINE_LINK_SOURCES) if found), [])
    return linked if len(linked) > 1 and linked[0].casefold() == people[0].casefold() else people


def _in_scope(source: Callable[[HtmlElement], list[str]], scope: Callable[[], HtmlElement]) -> list[str]:
    """What a byline source finds in the article's byline scope."""
    return source(scope())


def extract_authors(tree: HtmlElement, meta: MetaTags, article: dict[str, Any], objects: list[dict[str, Any]], site: Set[str]) -> list[str]:
    """The page's authors from the first source that names any (see the module's docstring); ``site``: the ``site_keys``."""
    scope = cache(partial(_byline_scope, tree))  # looked for once, at the first byline source asked
    meta_sources = [partial(_meta_names, meta, key) for key in AUTHOR_META] + [partial(_written_by, meta)]
    sources: list[Callable[[], list[str]]] = [lambda: json_ld.names(json_ld.resolve(article.get("author"), objects)), *meta_sources]
    sources += [partial(_in_scope, source, scope) for source in (*BYLINE_LINK_SOURCES, _byline_class_names)]
    sources.append(partial(_byline_text_names, tree))
    only_the_site: list[str] = []
    for source in sources:
        authors = clean_authors(source(), site)
        people = _people(authors, site)
        if people:
            return _with_co_authors(people, scope(), site) if source in meta_sources else people
        only_the_site = only_the_site or authors
    return only_the_site
