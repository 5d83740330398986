"""Read a page's ``<meta>`` tags by name, property or itemprop."""

from __future__ import annotations

from lxml.html import HtmlElement


def meta_values(tree: HtmlElement, names: tuple[str, ...]) -> list[str]:
    """The non-empty ``content`` of every ``<meta>`` named one of ``names`` (any case), in page order."""
    wanted = {name.lower() for name in names}
    found: list[str] = []
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        content = (element.get("content") or "").strip()
        if key in wanted and content:
            found.append(content)
    return found


def first_meta(tree: HtmlElement, *names: str) -> str | None:
    """The first value of :func:`meta_values`, or None."""
    values = meta_values(tree, names)
    return values[0] if values else None
