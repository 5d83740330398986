"""The Starlette application of ``archive serve``: its routes, static files, error pages and security headers.

Every response carries a Content-Security-Policy that allows no script at
all and styles and images from the app alone, so that nothing in scraped
text can run even if it reached a page unescaped. Errors are pages (or JSON
with ``format=json``) that say what was wrong, never a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.exc import DatabaseError
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive.db import Archive, database_failure
from archive.errors import UnreadableValue
from archive.web import routes
from archive.web.render import respond

STATIC_DIRECTORY = Path(__file__).parent / "static"
SECURITY_HEADERS = {
    "content-security-policy": ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
DATABASE_FAILED = "the archive's database failed (see the server's log): try again later"
UNREADABLE_VALUE = "a value stored in the archive cannot be read (see the server's log)"
logger = logging.getLogger(__name__)


class SecurityHeaders:
    """ASGI middleware: adds ``SECURITY_HEADERS`` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


async def error_page(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return respond(request, "error.html", {"status": error.status_code, "error": error.detail}, error.status_code)


async def database_error(request: Request, error: Exception) -> Response:
    """A request that failed because the archive's database did (a damaged file, a server gone): one line in the log
    and a 503 page; the next request tries the database again."""
    assert isinstance(error, DatabaseError)
    logger.error("%s %s: %s", request.method, request.url.path, database_failure(error))
    return respond(request, "error.html", {"status": 503, "error": DATABASE_FAILED}, 503)


async def unreadable_value(request: Request, error: Exception) -> Response:
    """A request that read a value stored in the archive that cannot be read (``UnreadableValue``): one line in the log
    and a 500 page, until the value is corrected."""
    logger.error("%s %s: %s", request.method, request.url.path, error)
    return respond(request, "error.html", {"status": 500, "error": UNREADABLE_VALUE}, 500)


async def server_error(request: Request, error: Exception) -> Response:
    logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return respond(request, "error.html", {"status": 500, "error": "the archive could not answer this request (see the server's log)"}, 500)


def create_app(archive: Archive) -> Starlette:
    """The web view of ``archive`` (opened read-only by the caller)."""
    app = Starlette(
        routes=[
            Route("/", routes.home),
            Route("/articles", routes.articles),
            Route("/article", routes.article),
            Route("/diff", routes.diff),
            Route("/search", routes.search),
            Route("/runs", routes.runs),
            Route("/feeds/edits.atom", routes.edits_feed),
            Route("/feeds/new.atom", routes.new_feed),
            Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static"),
        ],
        exception_handlers={HTTPException: error_page, DatabaseError: database_error, UnreadableValue: unreadable_value, Exception: server_error},
    )
    app.router.redirect_slashes = False  # nothing redirects: an unknown path is a 404
    app.add_middleware(SecurityHeaders)
    app.state.archive = archive
    return app
