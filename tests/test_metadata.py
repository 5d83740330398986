"""Article metadata (``crawler.extraction.metadata``) and page dates (``crawler.extraction.dates``) on small pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import lxml.html
import pytest

from crawler.extraction.dates import date_from_url, parse_date
from crawler.extraction.metadata import PageMetadata, extract_metadata

URL = "https://news.example/gnome-48-released/"
SITE_NAME = "Example News"


def json_ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def metadata(head: str = "", body: str = "<p>Text.</p>", url: str = URL, html_attrs: str = "") -> PageMetadata:
    html = f"<html {html_attrs}><head>{head}</head><body>{body}</body></html>"
    return extract_metadata(lxml.html.fromstring(html), url)


def news_article(**fields: Any) -> dict[str, Any]:
    return {"@type": "NewsArticle", "headline": "GNOME 48 released", **fields}


def test_json_ld_graph_gives_headline_authors_and_utc_date() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": SITE_NAME},
            {"@type": "WebPage", "name": "GNOME 48 released - Example News"},
            news_article(author={"@type": "Person", "name": "Ada Lovelace"}, datePublished="2024-05-17T10:30:00+02:00"),
        ],
    }
    meta = metadata(json_ld(graph) + '<meta property="og:title" content="Not the headline">')
    assert meta.title == "GNOME 48 released"
    assert meta.authors == ["Ada Lovelace"]
    assert meta.published_at == datetime(2024, 5, 17, 8, 30, tzinfo=UTC)
    assert meta.site_name == SITE_NAME


def test_authors_from_list_of_person_objects_without_duplicates() -> None:
    authors = [
        {"@type": "Person", "name": "Ada Lovelace"},
        {"@type": "Person", "name": "Linus Torvalds"},
        {"@type": "Person", "name": "ada lovelace"},
    ]
    assert metadata(json_ld(news_article(author=authors))).authors == ["Ada Lovelace", "Linus Torvalds"]


def test_author_string_loses_its_by_prefix() -> None:
    assert metadata(json_ld(news_article(author="By Ada Lovelace"))).authors == ["Ada Lovelace"]


def test_author_meta_loses_its_by_prefix() -> None:
    assert metadata('<meta name="author" content="by Ada Lovelace">').authors == ["Ada Lovelace"]


def test_author_reference_is_resolved_in_the_graph() -> None:
    graph = {
        "@graph": [
            news_article(author={"@id": "https://news.example/#/person/1"}),
            {"@type": "Person", "@id": "https://news.example/#/person/1", "name": "Ada Lovelace"},
        ]
    }
    assert metadata(json_ld(graph)).authors == ["Ada Lovelace"]


def test_reportage_news_article_is_the_article_object() -> None:
    data = {"@type": "ReportageNewsArticle", "headline": "Report", "author": {"@type": "Person", "name": "Ada Lovelace"}}
    meta = metadata(json_ld(data))
    assert (meta.title, meta.authors, meta.json_ld_article) == ("Report", ["Ada Lovelace"], True)


def test_author_meta_without_slugs_photo_credits_or_urls() -> None:
    head = (
        '<meta name="author" content="Emma Mackenzie"><meta property="article:author" content="emma-mackenzie">'
        '<meta name="author" content="(Image: Getty Images)"><meta name="author" content="https://news.example/emma/">'
    )
    assert metadata(head).authors == ["Emma Mackenzie"]


def test_first_author_source_wins_over_later_ones() -> None:
    head = '<meta name="author" content="Ada Lovelace">'
    body = '<aside><a rel="author" href="/a/">Trending Writer</a></aside><p>Text.</p>'
    assert metadata(head, body=body).authors == ["Ada Lovelace"]


def test_byline_markup_is_read_inside_the_article_only() -> None:
    body = (
        '<article><h1>GNOME 48</h1><a rel="author" href="/a/ada/">Ada Lovelace</a><p>Text.</p></article>'
        '<aside><a rel="author" href="/a/bob/">Bob Trending</a></aside>'
    )
    assert metadata(body=body).authors == ["Ada Lovelace"]


def test_html_entities_left_in_json_ld_are_decoded() -> None:
    meta = metadata(json_ld(news_article(headline="Kohberger&#8217;s lawyers &amp; the case")))
    assert meta.title == "Kohberger’s lawyers & the case"


def test_site_name_as_author_is_dropped() -> None:
    head = f'<meta property="og:site_name" content="{SITE_NAME}">' + json_ld(
        news_article(author=[{"@type": "Organization", "name": SITE_NAME}, {"@type": "Person", "name": "Ada Lovelace"}])
    )
    assert metadata(head).authors == ["Ada Lovelace"]


def test_og_title_loses_site_name_suffix() -> None:
    head = f'<meta property="og:site_name" content="{SITE_NAME}"><meta property="og:title" content="GNOME 48 released | {SITE_NAME}">'
    assert metadata(head).title == "GNOME 48 released"


def test_og_title_keeps_a_suffix_that_is_not_the_site_name() -> None:
    head = f'<meta property="og:site_name" content="{SITE_NAME}"><meta property="og:title" content="Review | Part 2">'
    assert metadata(head).title == "Review | Part 2"


def test_title_falls_back_to_h1() -> None:
    meta = metadata(f"<title>Page title | {SITE_NAME}</title>", body="<h1>GNOME 48 released</h1><p>Text.</p>")
    assert meta.title == "GNOME 48 released"


def test_title_falls_back_to_title_element_without_site_name_suffix() -> None:
    head = f'<title>GNOME 48 released | {SITE_NAME}</title><meta property="og:site_name" content="{SITE_NAME}">'
    assert metadata(head, body="<p>No heading.</p>").title == "GNOME 48 released"


def test_future_published_date_is_rejected() -> None:
    assert metadata(json_ld(news_article(datePublished="9999-01-01T00:00:00Z"))).published_at is None


def test_date_without_offset_is_taken_as_utc() -> None:
    meta = metadata(json_ld(news_article(datePublished="2024-05-17T10:30:00")))
    assert meta.published_at == datetime(2024, 5, 17, 10, 30, tzinfo=UTC)


def test_published_date_from_time_element() -> None:
    meta = metadata(body='<p>Text.</p><time datetime="2024-03-01T08:00:00+01:00">1 March</time>')
    assert meta.published_at == datetime(2024, 3, 1, 7, 0, tzinfo=UTC)


def test_published_date_from_url() -> None:
    meta = metadata(url="https://news.example/2024/05/17/gnome-48-released/")
    assert meta.published_at == datetime(2024, 5, 17, tzinfo=UTC)


def test_modified_date_from_meta() -> None:
    meta = metadata('<meta property="article:modified_time" content="2024-05-18T12:00:00-04:00">')
    assert meta.modified_at == datetime(2024, 5, 18, 16, 0, tzinfo=UTC)


def test_invalid_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>' + json_ld(news_article(headline="Valid block"))
    meta = metadata(head)
    assert (meta.title, meta.json_ld_article) == ("Valid block", True)


def test_only_invalid_json_ld_falls_back_to_markup() -> None:
    meta = metadata('<script type="application/ld+json">{not json</script>', body="<h1>From markup</h1>")
    assert (meta.title, meta.json_ld_article) == ("From markup", False)


def test_tags_come_from_the_first_source_that_lists_any() -> None:
    head = '<meta property="article:tag" content="GNOME"><meta property="article:tag" content="Linux">' + json_ld(
        news_article(keywords="linux, Desktop,gnome , Wayland")
    )
    assert metadata(head).tags == ["GNOME", "Linux"]


def test_tags_from_json_ld_keywords_string_split_on_commas() -> None:
    assert metadata(json_ld(news_article(keywords="linux, Desktop,gnome , Wayland"))).tags == [
        "linux",
        "Desktop",
        "gnome",
        "Wayland",
    ]


def test_comma_separated_article_tag_is_split_and_internal_labels_dropped() -> None:
    head = (
        '<meta property="article:tag" content="Spain,Europe,World news">'
        '<meta property="article:tag" content="Category: News">'
        '<meta property="article:tag" content="8f507083-bac4-423a-9015-2eb31e1bce50">'
        '<meta property="article:tag" content="_commerce"><meta property="article:tag" content="example.com">'
    )
    assert metadata(head).tags == ["Spain", "Europe", "World news"]


def test_tags_from_json_ld_keywords_list_deduplicated() -> None:
    meta = metadata(json_ld(news_article(keywords=["Kernel", "Rust", "kernel", "RUST", "Drivers"])))
    assert meta.tags == ["Kernel", "Rust", "Drivers"]


def test_language_from_html_lang() -> None:
    assert metadata(html_attrs='lang="en-GB"').language == "en-GB"


def test_language_from_og_locale_without_html_lang() -> None:
    assert metadata('<meta property="og:locale" content="de_DE">').language == "de-DE"


def test_blog_posting_is_a_json_ld_article() -> None:
    assert metadata(json_ld({"@type": "BlogPosting", "headline": "A post"})).json_ld_article is True


def test_web_page_only_json_ld_is_not_an_article() -> None:
    assert metadata(json_ld({"@type": "WebPage", "name": "Home"})).json_ld_article is False


@pytest.mark.parametrize(("og_type", "expected"), [("article", True), ("Article", True), ("website", False)])
def test_og_article_from_og_type(og_type: str, expected: bool) -> None:
    assert metadata(f'<meta property="og:type" content="{og_type}">').og_article is expected


def test_canonical_url_from_link_rel_canonical() -> None:
    head = '<link rel="canonical" href=" https://news.example/gnome-48/ "><meta property="og:url" content="https://x.example/">'
    assert metadata(head).canonical_url == "https://news.example/gnome-48/"


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-17T10:30:00+02:00", datetime(2024, 5, 17, 8, 30, tzinfo=UTC)),
        ("2024-05-17T10:30:00Z", datetime(2024, 5, 17, 10, 30, tzinfo=UTC)),
        ("2024-05-17T10:30:00", datetime(2024, 5, 17, 10, 30, tzinfo=UTC)),
        ("2024-05-17", datetime(2024, 5, 17, tzinfo=UTC)),
        ("Fri, 17 May 2024 10:30:00 +0200", datetime(2024, 5, 17, 8, 30, tzinfo=UTC)),
        ("2026-11-24T06:00:00Z", datetime(2026, 11, 24, 6, 0, tzinfo=UTC)),  # within a day of clock skew
    ],
)
def test_parse_date_gives_aware_utc(value: str, expected: datetime) -> None:
    assert parse_date(value, now=NOW) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "not a date",
        "1989-12-31",
        "2026-11-25T12:00:00Z",
        "9999-01-01T00:00:00Z",
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:00:00+05:00",
    ],
)
def test_parse_date_rejects_implausible_values(value: str | None) -> None:
    assert parse_date(value, now=NOW) is None


def test_out_of_range_date_in_json_ld_does_not_break_extraction() -> None:
    meta = metadata(
        json_ld(news_article(datePublished="9999-12-31T23:00:00-05:00")),
        body='<time datetime="2024-05-17T09:00:00Z">17 May</time>',
    )
    assert (meta.title, meta.published_at) == ("GNOME 48 released", datetime(2024, 5, 17, 9, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/2024/05/17/gnome-48-released/", datetime(2024, 5, 17, tzinfo=UTC)),
        ("https://news.example/2024-05-17-gnome-48-released/", datetime(2024, 5, 17, tzinfo=UTC)),
        ("https://news.example/2024/02/30/impossible-day/", None),
        ("https://news.example/gnome-48-released/", None),
    ],
)
def test_date_from_url(url: str, expected: datetime | None) -> None:
    reading = date_from_url(url)
    assert (reading.value if reading else None) == expected


def test_headline_shown_and_shared_wins_over_a_different_json_ld_headline() -> None:
    head = json_ld(news_article(headline="Starmer suggests he will keep gifts")) + '<meta property="og:title" content="Starmer defiant over gifts">'
    assert metadata(head, body="<h1>Starmer defiant over gifts</h1><p>Text.</p>").title == "Starmer defiant over gifts"


def test_json_ld_headline_wins_when_no_two_sources_agree() -> None:
    head = json_ld(news_article(headline="The JSON-LD headline")) + '<meta property="og:title" content="The social title">'
    assert metadata(head, body="<h1>The visible headline</h1><p>Text.</p>").title == "The JSON-LD headline"


def test_tech_tags_that_look_like_domains_or_labels_are_kept() -> None:
    tags = ["Node.js", "ASP.NET", "Socket.io", "Star Wars: Andor", "news.example.com"]
    head = "".join(f'<meta property="article:tag" content="{tag}">' for tag in tags)
    assert metadata(head).tags == tags[:4]


def test_role_bylines_are_no_authors_and_affiliations_are_stripped() -> None:
    head = '<meta name="author" content="Senior Editor"><meta name="author" content="Ankush Das (It\'s FOSS)">'
    assert metadata(head).authors == ["Ankush Das"]


def test_json_ld_in_cdata_markers_or_with_raw_line_breaks_in_its_strings_is_read() -> None:
    data = json.dumps(news_article(author={"@type": "Person", "name": "Ada Lovelace"}))
    wrapped = f'<script type="application/ld+json">//<![CDATA[\n{data}\n//]]></script>'
    assert metadata(wrapped).authors == ["Ada Lovelace"]
    raw_break = '{"@type": "NewsArticle", "headline": "GNOME 48", "description": "One line\nand another", "author": "Ada Lovelace"}'
    assert metadata(f'<script type="application/ld+json">{raw_break}</script>').authors == ["Ada Lovelace"]
