"""The spider's ``-a`` arguments: parsed into one typed object, and every bad one refused in one line before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.rechecks import RecheckMode
from crawler.arguments import ArgumentError, CrawlArguments, CrawlMode, chosen_profiles, parse_arguments
from crawler.profiles import ProfileError
from tests.crawl import run_crawl


def test_arguments_are_typed_and_default_as_documented() -> None:
    assert parse_arguments({}) == CrawlArguments()
    parsed = parse_arguments({"start_url": " https://news.example/ ", "max_pages": "3", "recheck": "ALL", "full": "yes"})
    assert parsed == CrawlArguments(start_url="https://news.example/", max_pages=3, recheck=RecheckMode.ALL, full=True)
    assert parsed.mode is CrawlMode.START_URL
    assert parse_arguments({"site": "debugpoint"}).mode is CrawlMode.SITE
    assert CrawlArguments().mode is CrawlMode.ALL


def test_arguments_turn_back_into_the_values_that_give_them() -> None:
    parsed = parse_arguments({"site": "debugpoint", "max_pages": "0", "recheck": "none", "full": "1"})
    assert parsed.as_strings() == {"site": "debugpoint", "max_pages": "0", "recheck": "none", "full": "1"}
    assert parse_arguments(parsed.as_strings()) == parsed
    assert CrawlArguments().as_strings() == {}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"start_url": "not-a-url"}, "-a start_url='not-a-url': expected an http(s) URL"),
        ({"start_url": "ftp://news.example/"}, "expected an http(s) URL"),
        ({"start_url": "http://news.example:99999/"}, "out of range"),
        ({"max_pages": "abc"}, "-a max_pages='abc': expected a whole number"),
        ({"max_pages": "-1"}, "must not be negative"),
        ({"recheck": "sometimes"}, "-a recheck='sometimes': expected one of due, all, none"),
        ({"full": "perhaps"}, "-a full='perhaps': expected 1 or 0"),
        ({"site": "  "}, "-a site= is empty"),
        ({"start_url": "https://a.example/", "site": "b"}, "give at most one of -a start_url, -a site and -a profile"),
        ({"strat_url": "https://a.example/"}, "unknown argument -a strat_url (did you mean -a start_url?)"),
        ({"colour": "red"}, "unknown argument -a colour; the arguments are start_url, site"),
    ],
)
def test_a_bad_argument_is_refused_with_a_message_naming_it(values: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError) as refused:
        parse_arguments(values)
    assert message in str(refused.value)


def test_an_unknown_site_names_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"no site profile named 'nosuchsite' \(known: 9to5linux, debugpoint, omgubuntu\)"):
        chosen_profiles(parse_arguments({"site": "nosuchsite"}), None)


def test_no_site_argument_chooses_every_enabled_profile(tmp_path: Path) -> None:
    (tmp_path / "paused.toml").write_text('name = "paused"\nenabled = false\nstart_urls = ["https://paused.example/"]\n')
    chosen = chosen_profiles(CrawlArguments(), tmp_path)
    assert sorted(chosen) == ["9to5linux", "debugpoint", "omgubuntu"]
    assert sorted(chosen_profiles(parse_arguments({"site": "paused"}), tmp_path)) == ["paused"]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (("start_url=not-a-url",), "error: -a start_url='not-a-url': expected an http(s) URL such as https://example.com/"),
        (("site=nosuchsite",), "error: no site profile named 'nosuchsite' (known: 9to5linux, debugpoint, omgubuntu)"),
        (("max_pages=abc",), "error: -a max_pages='abc': expected a whole number"),
        (("recheck=sometimes",), "error: -a recheck='sometimes': expected one of due, all, none"),
        (
            ("start_url=https://a.example/", "site=debugpoint"),
            "error: give at most one of -a start_url, -a site and -a profile, not start_url and site",
        ),
        (
            ("strat_url=https://a.example/",),
            "error: unknown argument -a strat_url (did you mean -a start_url?); the arguments are start_url, site, profile, max_pages, recheck, full",
        ),
    ],
)
def test_scrapy_crawl_refuses_bad_arguments_in_exactly_one_line(tmp_path: Path, arguments: tuple[str, ...], error: str) -> None:
    database = tmp_path / "archive.db"
    result = run_crawl(f"sqlite:///{database}", *arguments)
    assert (result.returncode, result.output.splitlines()) == (1, [error])
    assert not database.exists(), "nothing may be created before the arguments are checked"


def test_scrapy_crawl_refuses_an_invalid_profile_file_naming_the_file_and_key(tmp_path: Path) -> None:
    profile = tmp_path / "mysite.toml"
    profile.write_text('name = "mysite"\nstart_urls = ["https://mysite.example/"]\n[selectors]\nbody = "div["\n')
    result = run_crawl(f"sqlite:///{tmp_path / 'archive.db'}", f"profile={profile}")
    assert result.returncode == 1
    assert result.output.splitlines() == [f"error: {profile}: selectors.body: invalid CSS selector 'div[' (Expected ident or '*', got <EOF at 4>)"]
