"""Site profiles (``crawler.profiles``): built-ins load, user profiles add or replace, errors name file and key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from crawler.profiles import BUILTIN_PROFILES_DIR, ProfileError, Selectors, SiteProfile, load_profile, load_profiles

VALID = """\
name = "mysite"
title = "My Site"
start_urls = ["https://mysite.example/"]
"""


def write_profile(directory: Path, filename: str, text: str) -> Path:
    path = directory / filename
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path, key: str) -> str:
    """A ``match`` pattern for an error that names ``path`` and then ``key``."""
    return re.escape(f"{path}: {key}")


@pytest.mark.parametrize(
    ("name", "domain"),
    [("debugpoint", "debugpoint.com"), ("9to5linux", "9to5linux.com"), ("omgubuntu", "omgubuntu.co.uk")],
)
def test_builtin_profile_loads_and_validates(name: str, domain: str) -> None:
    profile = load_profiles()[name]
    assert profile.allowed_domains == (domain,)
    assert profile.start_urls and all(url.startswith("https://") for url in profile.start_urls)
    assert profile.selectors.body and profile.selectors.article_links and profile.selectors.next_page
    assert profile.source == str(BUILTIN_PROFILES_DIR / f"{name}.toml")


def test_builtin_profiles_are_exactly_the_shipped_files() -> None:
    assert sorted(load_profiles()) == ["9to5linux", "debugpoint", "omgubuntu"]


def test_user_directory_adds_a_profile(tmp_path: Path) -> None:
    write_profile(tmp_path, "mysite.toml", VALID + 'enabled = false\n\n[selectors]\nbody = "article .content"\nremove = ".share"\n')
    profiles = load_profiles(tmp_path)
    assert {"debugpoint", "9to5linux", "omgubuntu", "mysite"} <= set(profiles)
    mine = profiles["mysite"]
    assert (mine.title, mine.enabled, mine.allowed_domains) == ("My Site", False, ("mysite.example",))
    assert mine.selectors.body == "article .content" and mine.selectors.remove == (".share",)


def test_allowed_domains_default_to_start_url_domains_without_www(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "mysite.toml", 'name = "mysite"\nstart_urls = ["https://WWW.MySite.example/news/"]\n')
    assert load_profile(path).allowed_domains == ("mysite.example",)


def test_user_profile_with_a_builtin_name_replaces_it(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "dp.toml", 'name = "debugpoint"\nstart_urls = ["https://mirror.example/"]\n')
    profile = load_profiles(tmp_path)["debugpoint"]
    assert profile.start_urls == ("https://mirror.example/",)
    assert profile.source == str(path)


INVALID_PROFILES = [
    pytest.param('start_urls = ["https://mysite.example/"]\n', "name", ": missing required key", id="missing name"),
    pytest.param('name = "mysite"\n', "start_urls", ": missing required key", id="missing start_urls"),
    pytest.param(VALID + 'colour = "blue"\n', "colour", ": unknown key", id="unknown key"),
    pytest.param(VALID + '[selectors]\nheadline = "h1"\n', "selectors.headline", ": unknown key", id="unknown selector"),
    pytest.param(VALID + '[selectors]\nbody = "div["\n', "selectors.body", r": invalid CSS selector 'div\['", id="bad css"),
    pytest.param(
        VALID + '[selectors]\nremove = [".share", "div["]\n',
        "selectors.remove[1]",
        ": invalid CSS selector",
        id="bad css in remove names its index",
    ),
    *(
        pytest.param(
            f'name = "mysite"\nstart_urls = ["https://mysite.example/", "{url}"]\n',
            "start_urls[1]",
            ": .* is not an http",
            id=f"non-http start url {url}",
        )
        for url in ["ftp://mysite.example/", "mysite.example/", "javascript:alert(1)"]
    ),
    pytest.param(VALID + 'enabled = "yes"\n', "enabled", ": expected true or false", id="bad enabled"),
    pytest.param(VALID + 'sitemaps = ["/sitemap.xml"]\n', "sitemaps[0]", ": .* is not an http", id="relative sitemap"),
]


def test_feeds_and_sitemaps_of_a_profile(tmp_path: Path) -> None:
    text = VALID + 'feeds = ["https://mysite.example/feed/"]\nsitemaps = "https://mysite.example/sitemap_index.xml"\n'
    profile = load_profile(write_profile(tmp_path, "mysite.toml", text))
    assert profile.feeds == ("https://mysite.example/feed/",)
    assert profile.sitemaps == ("https://mysite.example/sitemap_index.xml",)


@pytest.mark.parametrize(("text", "key", "problem"), INVALID_PROFILES)
def test_invalid_profile_error_names_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = write_profile(tmp_path, "bad.toml", text)
    with pytest.raises(ProfileError, match=error_for(path, key) + problem):
        load_profile(path)


def test_invalid_toml_syntax_is_an_error(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "bad.toml", 'name = "mysite\nstart_urls = [\n')
    with pytest.raises(ProfileError, match=re.escape(f"{path}: invalid TOML")):
        load_profile(path)


def test_invalid_user_profile_fails_load_profiles(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "bad.toml", VALID + "enabled = 1\n")
    with pytest.raises(ProfileError, match=error_for(path, "enabled")):
        load_profiles(tmp_path)


def test_profiles_dir_that_is_not_a_directory_is_an_error(tmp_path: Path) -> None:
    not_a_directory = write_profile(tmp_path, "profiles.toml", VALID)
    with pytest.raises(ProfileError, match=re.escape(f"{not_a_directory}: ARCHIVE_PROFILES_DIR is not a directory")):
        load_profiles(not_a_directory)


def test_missing_profiles_dir_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ProfileError, match=re.escape(f"{missing}: ARCHIVE_PROFILES_DIR is not a directory")):
        load_profiles(missing)


def test_zero_configuration_profile_rejects_non_http_start_url() -> None:
    with pytest.raises(ProfileError, match="start_url 'mailto:editor@mysite.example' is not an http"):
        SiteProfile.from_start_url("mailto:editor@mysite.example")


def test_international_domains_are_allowed_in_the_form_of_canonical_urls(tmp_path: Path) -> None:
    assert SiteProfile.from_start_url("http://Bücher.example/").allowed_domains == ("xn--bcher-kva.example",)
    path = tmp_path / "buecher.toml"
    path.write_text('name = "buecher"\nstart_urls = ["http://bücher.example/"]\nallowed_domains = ["Bücher.example"]\n', encoding="utf-8")
    assert load_profile(path).allowed_domains == ("xn--bcher-kva.example",)


@pytest.mark.parametrize(
    ("start_url", "name", "domain"),
    [
        ("https://www.debugpoint.com/", "debugpoint.com", "debugpoint.com"),
        ("http://Example.com:80/news/", "example.com", "example.com"),
        ("https://example.com:443/", "example.com", "example.com"),
        ("https://example.com:8443/", "example.com:8443", "example.com"),
        ("http://127.0.0.1:8042/", "127.0.0.1:8042", "127.0.0.1"),
        ("http://[::1]:8042/", "[::1]:8042", "::1"),
    ],
)
def test_a_zero_configuration_site_is_an_origin(start_url: str, name: str, domain: str) -> None:
    profile = SiteProfile.from_start_url(start_url)
    assert (profile.name, profile.allowed_domains) == (name, (domain,))


def test_a_start_url_with_an_invalid_port_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="start_url 'http://127.0.0.1:99999/' has an invalid port"):
        SiteProfile.from_start_url("http://127.0.0.1:99999/")
    path = tmp_path / "badport.toml"
    path.write_text('name = "badport"\nstart_urls = ["http://example.com:http/"]\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=re.escape(f"{path}: start_urls[0]: 'http://example.com:http/' is not an http(s) URL with a valid port")):
        load_profile(path)


def write_base(directory: Path, name: str, text: str) -> Path:
    (directory / "bases").mkdir(exist_ok=True)
    return write_profile(directory / "bases", f"{name}.toml", text)


def test_builtin_profiles_share_the_wordpress_base_which_is_no_site() -> None:
    wordpress = tomllib.loads((BUILTIN_PROFILES_DIR / "bases" / "wordpress.toml").read_text(encoding="utf-8"))["selectors"]
    profiles = load_profiles()
    assert "wordpress" not in profiles
    for profile in profiles.values():
        assert profile.selectors.body == wordpress["body"]
        assert profile.selectors.remove == tuple(wordpress["remove"])


def test_a_profile_overrides_and_adds_to_the_keys_of_its_base(tmp_path: Path) -> None:
    write_base(tmp_path, "news", 'feeds = ["https://base.example/feed/"]\n[selectors]\nbody = ".story"\nnext_page = "a.older"\nremove = [".ad"]\n')
    path = write_profile(tmp_path, "mysite.toml", VALID + 'extends = "news"\n[selectors]\nbody = ".story-text"\narticle_links = "h2 a"\n')
    profile = load_profile(path)
    assert profile.feeds == ("https://base.example/feed/",)
    assert profile.selectors == Selectors(article_links="h2 a", next_page="a.older", body=".story-text", remove=(".ad",))
    assert profile.source == str(path)


def test_a_user_profile_extends_a_builtin_base_and_a_base_extends_another(tmp_path: Path) -> None:
    write_base(tmp_path, "my-wordpress", 'extends = "wordpress"\n[selectors]\nremove = [".newsletter"]\n')
    profile = load_profile(write_profile(tmp_path, "mysite.toml", VALID + 'extends = "my-wordpress"\n'))
    assert profile.selectors.body == load_profiles()["debugpoint"].selectors.body
    assert profile.selectors.remove == (".newsletter",)


INVALID_EXTENSIONS = [
    pytest.param({}, 'extends = "drupal"\n', "mysite.toml", "extends", ": no base named 'drupal' \\(known: wordpress\\)", id="unknown base"),
    pytest.param(
        {"loop": 'extends = "loop"\n'}, 'extends = "loop"\n', "bases/loop.toml", "extends", ": 'loop' extends itself", id="a base extending itself"
    ),
    pytest.param(
        {"a": 'extends = "b"\n', "b": 'extends = "a"\n'},
        'extends = "a"\n',
        "bases/b.toml",
        "extends",
        r": 'a' extends itself \(mysite -> a -> b -> a\)",
        id="cycle",
    ),
    pytest.param({"news": 'colour = "blue"\n'}, 'extends = "news"\n', "bases/news.toml", "colour", ": unknown key", id="unknown key in the base"),
    pytest.param(
        {"news": '[selectors]\nbody = "div["\n'},
        'extends = "news"\n',
        "bases/news.toml",
        "selectors.body",
        ": invalid CSS selector",
        id="bad selector in the base",
    ),
    pytest.param({}, "extends = 3\n", "mysite.toml", "extends", ": expected a non-empty string", id="extends not a name"),
]


@pytest.mark.parametrize(("bases", "extends", "named_file", "key", "problem"), INVALID_EXTENSIONS)
def test_a_bad_extension_is_one_error_naming_the_file_and_key(
    tmp_path: Path, bases: dict[str, str], extends: str, named_file: str, key: str, problem: str
) -> None:
    for name, text in bases.items():
        write_base(tmp_path, name, text)
    path = write_profile(tmp_path, "mysite.toml", VALID + extends)
    with pytest.raises(ProfileError, match=error_for(tmp_path / named_file, key) + problem):
        load_profile(path)
