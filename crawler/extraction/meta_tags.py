"""Read a page's ``<meta>`` tags by name, property or itemprop."""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement


def meta_name(element: HtmlElement) -> str:
    """The name a ``<meta>`` tag goes by: its ``property``, ``name`` or ``itemprop``, in lower case ("" for none)."""
    return (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()


@dataclass(frozen=True)
class MetaTags:
    """A page's ``<meta>`` tags that have content, read once: (name in lower case, content) in page order."""

    tags: tuple[tuple[str, str], ...]

    @classmethod
    def read(cls, tree: HtmlElement) -> MetaTags:
        tags = []
        for element in tree.iter("meta"):
            key = meta_name(element)
            content = (element.get("content") or "").strip()
            if key and content:
                tags.append((key, content))
        return cls(tuple(tags))

    def values(self, *names: str) -> list[str]:
        """The content of every tag named one of ``names`` (any case), in page order."""
        wanted = {name.lower() for name in names}
        return [content for key, content in self.tags if key in wanted]

    def values_by_name(self, *names: str) -> list[str]:
        """The content of every tag named one of ``names`` (any case), in the order of ``names``, in page order among tags of one name."""
        rank = {name.lower(): index for index, name in enumerate(names)}
        return [content for key, content in sorted((tag for tag in self.tags if tag[0] in rank), key=lambda tag: rank[tag[0]])]

    def first(self, *names: str) -> str | None:
        """The first of :meth:`values`, or None."""
        return next(iter(self.values(*names)), None)
