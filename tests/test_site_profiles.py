"""Every built-in profile reads a saved page of its own site with its own rules: the expected fields, the body from its own selector.

Each profile ``crawler/sites/NAME.toml`` has a saved article page of its site,
``tests/sites/NAME.html.gz``, next to ``NAME.json``: the fields expected from it
(title, authors, published date, the first and last words of the body and a
range for its length). A body found by the generic fallback instead of the
profile's ``body`` selector fails, so a site redesign (or a change of the
shared base) cannot silently turn a profile into zero configuration.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction import PageReading, read_page
from crawler.profiles import BUILTIN_PROFILES_DIR, SiteProfile, load_profile

SAVED_PAGES = Path(__file__).parent / "sites"
BUILTIN_PROFILES = sorted(BUILTIN_PROFILES_DIR.glob("*.toml"))
PAGE_CHROME = ("Share this", "Related", "Advertisement", "Subscribe", "Trending", "Popular Posts", "All rights reserved", "Comments", "Tags")
"""Words of the boxes around each saved article (share buttons, related posts, ads, sidebar, footer): never in a body."""


def saved_page(name: str) -> tuple[str, dict[str, Any]]:
    """The saved page of the site of profile ``name`` and the fields expected from it."""
    with gzip.open(SAVED_PAGES / f"{name}.html.gz", "rt", encoding="utf-8") as page:
        html = page.read()
    return html, json.loads((SAVED_PAGES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=BUILTIN_PROFILES, ids=lambda path: path.stem)
def reading(request: pytest.FixtureRequest) -> tuple[SiteProfile, PageReading, dict[str, Any]]:
    profile = load_profile(request.param)
    html, expected = saved_page(profile.name)
    return profile, read_page(html, expected["url"], profile.body_rules), expected


def test_every_builtin_profile_has_a_saved_page_of_its_site() -> None:
    profiles = {load_profile(path).name for path in BUILTIN_PROFILES}
    pages = {path.name.removesuffix(".html.gz") for path in SAVED_PAGES.glob("*.html.gz")}
    expectations = {path.stem for path in SAVED_PAGES.glob("*.json")}
    assert profiles, "the built-in profiles are found"
    assert pages == expectations == profiles, "one saved page and one JSON file of expected fields per built-in profile"


def test_the_profile_reads_the_fields_of_its_site(reading: tuple[SiteProfile, PageReading, dict[str, Any]]) -> None:
    _, page, expected = reading
    assert page.metadata.title == expected["title"]
    assert page.metadata.authors == expected["authors"]
    assert page.metadata.published_at == datetime.fromisoformat(expected["published_at"])
    assert page.is_article


def test_the_body_comes_from_the_profiles_own_selector(reading: tuple[SiteProfile, PageReading, dict[str, Any]]) -> None:
    profile, page, expected = reading
    assert profile.selectors.body, "a built-in profile names its body"
    assert page.extractor.endswith("/profile"), f"the body came from {page.extractor.rsplit('/', 1)[-1]}, not the profile's selector"
    assert page.body_text.startswith(expected["body_starts"])
    assert page.body_text.endswith(expected["body_ends"])
    shortest, longest = expected["body_length"]
    assert shortest <= len(page.body_text) <= longest
    assert [words for words in PAGE_CHROME if words in page.body_text] == []
