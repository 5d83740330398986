"""``archive serve``: the web view on uvicorn, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import ipaddress

import click
import uvicorn

from archive.db import open_archive
from archive.web.app import create_app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(database_url: str, host: str, port: int) -> None:
    """Serve the archive at ``database_url`` read-only on ``host``:``port`` until interrupted."""
    archive = open_archive(database_url, read_only=True)
    if not is_loopback(host):
        click.echo(f"warning: serving on {host}: the archive becomes readable from the network", err=True)
    try:
        uvicorn.run(create_app(archive), host=host, port=port, log_level="info", server_header=False, proxy_headers=False)
    finally:
        archive.close()
