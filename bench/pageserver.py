"""A minimal HTTP/1.1 server for the benchmarks: pages looked up (or built) on request, keep-alive, no logging."""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Lookup = Callable[[str], tuple[bytes, str] | None]
"""A URL path to the page's body and content type, or None for a 404."""


def page_server(lookup: Lookup) -> ThreadingHTTPServer:
    """A server on a free port of 127.0.0.1 answering GET requests from ``lookup`` (not started)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802
            found = lookup(urlsplit(self.path).path)
            body, content_type = found if found is not None else (b"not found", "text/plain")
            self.send_response(200 if found is not None else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server
