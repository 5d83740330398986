"""``archive serve``: a read-only web view of the archive (pages, Atom feeds, JSON twins of every page)."""

from archive.web.app import create_app

__all__ = ["create_app"]
