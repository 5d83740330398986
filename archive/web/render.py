"""Pages and their JSON twins: one dict of data per page, rendered by a Jinja2 template or, with
``format=json``, as JSON.

Templates are autoescaped, so scraped text (titles, bylines, bodies) is
always text and never markup; control characters (terminal escapes) are
removed from what a page shows. Links to archived articles are made only of
``http`` and ``https`` URLs.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Characters neither HTML nor XML may show (tab, line feed and carriage return are kept)."""
WEB_SCHEMES = ("http", "https")


def displayable(value: Any) -> Any:
    """Text as a page or a feed may show it: control characters removed; markup made by the templates
    themselves (whose text went through here already) and other values as they are."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) and not isinstance(value, Markup) else value


def link(path: str, **parameters: Any) -> str:
    """A link within the app: ``path`` with the given query parameters (those that are None or empty left out)."""
    query = urlencode({name: value for name, value in parameters.items() if value not in (None, "", False)})
    return f"{path}?{query}" if query else path


def web_url(url: str | None) -> str | None:
    """``url`` if it may be a link's target (http or https), else None: an archived URL is never a ``javascript:`` link."""
    return url if url and urlsplit(url).scheme.lower() in WEB_SCHEMES else None


def shown_time(value: str | None) -> str:
    """An ISO 8601 time of the data as a page shows it: ``2026-11-24 09:00 UTC``."""
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC") if value else "–"


TEMPLATES = Environment(loader=PackageLoader("archive.web", "templates"), autoescape=True, finalize=displayable, undefined=StrictUndefined)
TEMPLATES.globals.update(link=link)
TEMPLATES.filters.update(web_url=web_url, shown_time=shown_time)


def wants_json(request: Request) -> bool:
    return request.query_params.get("format") == "json"


def respond(request: Request, template: str, data: dict[str, Any], status: int = 200, **page: Any) -> Response:
    """The page ``template`` showing ``data`` (and ``page``, what only the page needs), or ``data`` as JSON
    when the request asks for ``format=json``."""
    if wants_json(request):
        return JSONResponse(data, status)
    json_link = link(request.url.path, **{**request.query_params, "format": "json"})
    return HTMLResponse(TEMPLATES.get_template(template).render(data=data, json_link=json_link, **page), status)
