"""A minimal HTTP server for the benchmarks: pages looked up (or built) on request, keep-alive (or not), no logging."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Lookup = Callable[[str], tuple[bytes, str] | None]
"""A URL path to the page's body and content type, or None for a 404."""


def page_server(lookup: Lookup, keep_alive: bool = True, delay: float = 0.0) -> ThreadingHTTPServer:
    """A server on a free port of 127.0.0.1 answering GET requests from ``lookup`` (not started): over HTTP/1.1 with
    keep-alive, or over HTTP/1.0 with a connection per request as Python's ``http.server`` answers; each answer
    ``delay`` seconds late, as a remote site's would be (the connection's thread waits, the others go on)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802
            if delay:
                time.sleep(delay)
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
