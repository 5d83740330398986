"""Read a page's JSON-LD: every object (``@graph`` members included), the one describing the article, references.

Pages give JSON-LD in many shapes: one object, a list, a ``@graph``; an author as a
string, an object, a list, or a reference (``{"@id": ...}``) to a Person elsewhere in the
graph; text with HTML entities left in. This module turns all of them into plain values.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement

ARTICLE_TYPES = frozenset({"BlogPosting", "LiveBlogPosting", "SocialMediaPosting", "Report", "Review"})
"""Types that describe an article besides every ``...Article`` type (NewsArticle, ReportageNewsArticle, ...)."""
MAX_JSON_LD_BYTES = 1_000_000
MAX_JSON_LD_DEPTH = 10
NESTING_KEYS = ("@graph", "mainEntity")
"""Keys whose objects are described on their own: a ``@graph``, a ``WebPage``'s ``mainEntity`` (often the article)."""
CDATA = re.compile(r"^\s*(//)?\s*<!\[CDATA\[|(//)?\s*\]\]>\s*$")
"""The commented-out CDATA markers that XHTML-minded pages wrap round a script ("//<![CDATA[ ... //]]>")."""
JSON_LD_SCRIPTS = XPath('//script[@type="application/ld+json"]')


def _flatten(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > MAX_JSON_LD_DEPTH:
        return
    if isinstance(node, list):
        for child in node:
            yield from _flatten(child, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in NESTING_KEYS:
            if key in node:
                yield from _flatten(node[key], depth + 1)


def json_ld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page (``@graph`` members and ``mainEntity`` included); invalid blocks are skipped (:func:`read_block`)."""
    objects: list[dict[str, Any]] = []
    for script in JSON_LD_SCRIPTS(tree):
        data = read_block(script.text or "")
        if data is not None:
            objects.extend(_flatten(data))
    return objects


def read_block(text: str) -> Any:
    """The data of one JSON-LD block, or None where it is too long or no JSON.

    Blocks wrapped in CDATA markers, or with line breaks and tabs left raw inside their strings, are read as they are meant.
    """
    if len(text) > MAX_JSON_LD_BYTES:
        return None
    try:
        unwrapped = CDATA.sub("", text) if "CDATA[" in text or "]]>" in text else text  # the search is slow on long blocks
        return json.loads(unwrapped.strip().rstrip(";"), strict=False)
    except (ValueError, RecursionError):
        return None


def types(obj: dict[str, Any]) -> set[str]:
    """The object's ``@type`` names, without a schema.org prefix."""
    value = obj.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def is_article(obj: dict[str, Any]) -> bool:
    """The object describes an article: any ``...Article`` type, a blog or live-blog posting, a report."""
    return any(name.endswith("Article") or name in ARTICLE_TYPES for name in types(obj))


def text(value: Any) -> str | None:
    """A JSON-LD value as one line of plain text (HTML entities decoded), or None; a person without a name is their given and family names."""
    if isinstance(value, str):
        return " ".join(html.unescape(value).split()) or None
    if isinstance(value, dict):
        given_and_family = " ".join(part for part in (text(value.get("givenName")), text(value.get("familyName"))) if part)
        return text(value.get("name") or value.get("@value")) or given_and_family or None
    if isinstance(value, list) and value:
        return text(value[0])
    return None


def resolve(value: Any, objects: list[dict[str, Any]]) -> Any:
    """``value`` with references (objects holding only ``@id``) replaced by the objects they name."""
    if isinstance(value, list):
        return [resolve(item, objects) for item in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return next((obj for obj in objects if obj.get("@id") == value["@id"] and len(obj) > 1), value)
    return value


def names(value: Any) -> list[str]:
    """The names in a value that may be a string, an object with a name, or a list of either."""
    values = value if isinstance(value, list) else [value]
    return [name for name in (text(v) for v in values) if name]
