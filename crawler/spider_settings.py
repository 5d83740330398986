"""What the news spider sets in Scrapy's settings before the crawl starts: its user agent, and no switched-off component.

The user agent names the crawler, its version and where site owners can read about
it, unless the user set one. Scrapy's components that their setting switches off
are left out of Scrapy's lists, so that they are not even imported (the remote
control alone loads aiohttp: a tenth of a second of CPU for every crawl).
"""

from __future__ import annotations

from importlib.metadata import version

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

VERSION = version("technews-archive")
SWITCHED_OFF_COMPONENTS = (
    ("TELNETCONSOLE_ENABLED", "EXTENSIONS_BASE", "scrapy.extensions.telnet.TelnetConsole"),
    ("REMOTE_CONTROL_ENABLED", "EXTENSIONS_BASE", "scrapy.extensions.remote_control.RemoteControl"),
    ("COOKIES_ENABLED", "DOWNLOADER_MIDDLEWARES_BASE", "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"),
)
"""Scrapy's components that a setting switches off: (setting, the component list of Scrapy's defaults, component)."""


def set_crawl_settings(settings: BaseSettings) -> None:
    """The user agent, where the user set none, and Scrapy's lists without the components switched off."""
    if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["project"]:
        settings.set("USER_AGENT", f"technews-archive/{VERSION} (+{settings.get('ARCHIVE_CONTACT_URL')})", "project")
    for switch, components, component in SWITCHED_OFF_COMPONENTS:
        if not settings.getbool(switch):
            settings.set(components, {**settings.getdict(components), component: None}, "spider")
