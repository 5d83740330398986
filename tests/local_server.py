"""A threaded HTTP server on 127.0.0.1 that serves a test site under any host name.

Requested directly (``http://127.0.0.1:PORT/``) it is a site on a private
address; named as the crawler's HTTP proxy (``http_proxy=http://127.0.0.1:PORT``)
it receives every request of the crawl, whatever its host, so a site can be
served under public names (``news.example``, international names) and a test
sees every request the crawler made, including the ones it must never make.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    host: str
    path: str
    """Percent-decoded path, without the query."""
    query: str
    at: float
    """time.monotonic() of its arrival."""


class Site(Protocol):
    def respond(self, handler: Handler, host: str, path: str, query: str) -> None:
        """Answer one request for ``path`` on ``host`` through ``handler``."""


@dataclass
class Server:
    """A running server: its port and every request seen so far."""

    httpd: ThreadingHTTPServer
    site: Site
    seen: list[Seen] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def proxy(self) -> dict[str, str]:
        """Environment variables that make a crawl go through this server."""
        return {"http_proxy": f"http://127.0.0.1:{self.port}", "no_proxy": ""}

    def requests_for(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def hosts(self) -> set[str]:
        return {seen.host for seen in self.seen}


class Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        served: Server = self.server.served  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        host = parts.hostname or self.headers.get("Host", "").rsplit(":", 1)[0]
        path = unquote(parts.path)
        served.seen.append(Seen(host.lower(), path, parts.query, time.monotonic()))
        try:
            served.site.respond(self, host.lower(), path, parts.query)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up (a page too large, a timeout): what it should do

    def send(self, body: bytes, status: int = 200, content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@contextmanager
def serve(site: Site) -> Iterator[Server]:
    """Serve ``site`` on a free port of 127.0.0.1 until the block ends."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    served = Server(httpd, site)
    httpd.served = served  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
