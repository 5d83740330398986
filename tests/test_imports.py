"""What importing a part of the project loads: the extractor no database or Scrapy code, the crawl process no extractor."""

from __future__ import annotations

import subprocess
import sys

from tests.crawl import PROJECT_ROOT

HEAVY_EXTRACTION = ("trafilatura", "bs4", "numpy", "py3langid", "htmldate")
"""What reading a page loads, and a crawl process whose pages are read in workers need not."""
CRAWL_PROCESS = """
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
from crawler.profiles import load_profiles
settings = get_project_settings()
for name in ("EXTENSIONS", "ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"):
    for path in settings.getdict(name):
        load_object(path)
load_object("crawler.spiders.news.NewsSpider")
load_profiles()
"""


def _loaded(code: str, modules: tuple[str, ...]) -> list[str]:
    """Those of ``modules`` that running ``code`` in a new interpreter, from the project root, loads."""
    report = f"import sys; print(','.join(sorted(name for name in {modules!r} if name in sys.modules)))"
    output = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    return [name for name in output.strip().split(",") if name]


def test_the_extractor_loads_no_database_and_no_scrapy() -> None:
    assert _loaded("from crawler.extraction import read_page", ("sqlalchemy", "alembic", "scrapy", "twisted")) == []


def test_the_crawl_process_loads_no_extractor_until_a_page_is_read_in_it() -> None:
    assert _loaded(CRAWL_PROCESS, HEAVY_EXTRACTION) == []
    asked_for_the_reader = f"{CRAWL_PROCESS}\nfrom crawler import extraction\nextraction.read_page"
    assert _loaded(asked_for_the_reader, HEAVY_EXTRACTION) == sorted(HEAVY_EXTRACTION)
