"""Publication dates on small pages: the most precise timestamp a page gives, with its offset, and htmldate as a vote."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.extraction.dates import read_date
from tests.test_metadata import json_ld, metadata, news_article

TWO_HOURS = timedelta(hours=2)


def test_the_offset_the_page_gives_is_kept() -> None:
    published = metadata(json_ld(news_article(datePublished="2024-05-17T10:30:00+02:00"))).published_at
    assert published is not None and published.utcoffset() == TWO_HOURS
    assert published == datetime(2024, 5, 17, 8, 30, tzinfo=UTC)


def test_time_zone_abbreviation_is_an_offset() -> None:
    published = metadata(json_ld(news_article(datePublished="Fri Apr 28 19:20:36 CEST 2023"))).published_at
    assert published == datetime(2023, 4, 28, 17, 20, 36, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2024-05-03 12:00 GMT+2", TWO_HOURS),
        ("3 May 2024 12:00 UTC+02:00", TWO_HOURS),
        ("Fri, 03 May 2024 12:00:00 GMT+0200", TWO_HOURS),
        ("2024-05-03 12:00 GMT-5", -timedelta(hours=5)),
        ("2024-05-03 12:00 UTC+5:30", timedelta(hours=5, minutes=30)),
        ("2024-05-03 12:00 GMT", timedelta(0)),
        ("Fri May 03 2024 12:00:00 GMT+0200 (Central European Summer Time)", TWO_HOURS),  # as JavaScript writes a date
        ("May 3, 2024 12:00 (CEST)", TWO_HOURS),
    ],
)
def test_an_offset_named_after_gmt_or_utc_is_east_for_a_plus(text: str, offset: timedelta) -> None:
    reading = read_date(text)
    assert reading is not None and reading.has_offset
    assert reading.value.utcoffset() == offset
    assert reading.value.replace(tzinfo=None) == datetime(2024, 5, 3, 12, 0)


def test_an_ambiguous_time_zone_abbreviation_is_no_offset_and_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dateutil warns of a name it does not know, and means to raise one day
        reading = read_date("Fri Apr 28 19:20:36 IST 2023")
    assert reading is not None and not reading.has_offset
    assert reading.value == datetime(2023, 4, 28, 19, 20, 36, tzinfo=UTC)


def test_time_without_offset_takes_the_offset_another_source_gives_for_it() -> None:
    meta = metadata(json_ld(news_article(datePublished="2023-04-28 18:11:01.0")) + '<meta name="date" content="2023-04-28T18:11:01+02:00">')
    assert meta.published_at == datetime(2023, 4, 28, 16, 11, 1, tzinfo=UTC)


def test_day_only_takes_the_time_another_source_gives_for_that_day() -> None:
    head = json_ld(news_article(datePublished="2024-05-17")) + '<meta property="article:published_time" content="2024-05-17T10:30:00+02:00">'
    assert metadata(head).published_at == datetime(2024, 5, 17, 8, 30, tzinfo=UTC)


def test_a_time_of_another_day_does_not_refine_the_date() -> None:
    head = json_ld(news_article(datePublished="2024-05-17")) + '<meta property="article:published_time" content="2024-05-20T10:30:00+02:00">'
    assert metadata(head).published_at == datetime(2024, 5, 17, tzinfo=UTC)


def test_two_times_with_offsets_that_differ_are_not_merged() -> None:
    head = json_ld(news_article(datePublished="2024-05-17T10:30+02:00")) + '<meta name="date" content="2024-05-17T11:45:10+02:00">'
    assert metadata(head).published_at == datetime(2024, 5, 17, 8, 30, tzinfo=UTC)


def test_article_nested_as_main_entity_of_a_web_page_is_read() -> None:
    page = {"@type": "WebPage", "mainEntity": news_article(datePublished="2023-04-28T18:16:04+0200", author={"@type": "Person", "name": "Nadja Z"})}
    meta = metadata(json_ld(page))
    assert (meta.published_at, meta.authors) == (datetime(2023, 4, 28, 16, 16, 4, tzinfo=UTC), ["Nadja Z"])


def test_htmldate_outvotes_a_lone_time_element_of_another_story() -> None:
    body = '<article><h1>GNOME 48 released</h1><p>Text.</p></article><aside><time datetime="2023-01-01">1 Jan</time></aside>'
    meta = metadata(body=body, url="https://news.example/2024/05/17/gnome-48-released/")
    assert meta.published_at == datetime(2024, 5, 17, tzinfo=UTC)


def test_reading_says_how_precise_a_date_is() -> None:
    day, minute, full = read_date("2024-05-17"), read_date("2024-05-17 10:30"), read_date("2024-05-17T10:30:12+02:00")
    assert day is not None and minute is not None and full is not None
    assert (day.precision, minute.precision, full.precision) == ((False, False, False, False), (True, False, False, False), (True, True, True, False))
    assert day.states_same_moment(full) and minute.states_same_moment(read_date("2024-05-17T10:30:00+02:00") or day)


@pytest.mark.parametrize(
    ("head", "body", "published"),
    [
        pytest.param(
            '<meta name="date" content="2024-10-15T17:38:42+02:00"><meta property="article:published_time" content="2024-10-15T08:22:57+02:00">',
            "<p>Text.</p>",
            datetime(2024, 10, 15, 8, 22, 57, tzinfo=timezone(TWO_HOURS)),
            id="a-tag-that-names-the-publication-outranks-a-generic-date-tag-before-it",
        ),
        pytest.param(
            '<meta property="article:published_time" content="2024-08-28T07:26:02-0400">',
            '<time datetime="2024-08-28T11:26:02.614Z">3 seconds ago</time>',
            datetime(2024, 8, 28, 11, 26, 2, 614000, tzinfo=UTC),
            id="the-same-moment-told-to-the-millisecond-is-told-so",
        ),
        pytest.param(
            "",
            '<time datetime="2024-11-29T00:00:00+01:00">29.11.2024</time>',
            datetime(2024, 11, 29, tzinfo=UTC),
            id="a-time-of-exactly-midnight-is-a-day",
        ),
        pytest.param(
            "",
            "<h1>GNOME 48 released</h1><p>2025/01/13 20:01</p><p>The desktop's new release is out.</p>",
            datetime(2025, 1, 13, 20, 1, tzinfo=UTC),
            id="a-date-only-the-text-gives-is-found-by-htmldate-s-search-of-the-text",
        ),
        pytest.param(
            "",
            '<time class="date date-updated" datetime="2025-05-25T21:57:44+02:00">21:57</time>'
            '<time datetime="2025-05-25T16:51:39+02:00">25/05/2025 16:51 h</time>',
            datetime(2025, 5, 25, 16, 51, 39, tzinfo=timezone(TWO_HOURS)),
            id="a-time-element-classed-as-the-update-dates-no-publication",
        ),
        pytest.param(
            "",
            '<time datetime="2025-05-25T21:57:44+02:00">Actualizado el 25/05/2025 21:57 h</time>'
            '<time datetime="2025-05-25T16:51:39+02:00">25/05/2025 16:51 h</time>',
            datetime(2025, 5, 25, 16, 51, 39, tzinfo=timezone(TWO_HOURS)),
            id="nor-one-whose-text-says-it-was-updated",
        ),
        pytest.param(
            "",
            '<time class="entry-date published updated" datetime="2025-02-11T12:28:25-06:00">February 11, 2025</time>',
            datetime(2025, 2, 11, 12, 28, 25, tzinfo=timezone(timedelta(hours=-6))),
            id="the-bare-updated-class-of-wordpress-themes-marks-the-publication-too",
        ),
    ],
)
def test_published_on_pages_without_json_ld(head: str, body: str, published: datetime) -> None:
    assert metadata(head, body=body).published_at == published


@pytest.mark.parametrize(
    ("url", "html_attrs", "datetime_attribute", "published"),
    [
        pytest.param(
            "https://zeitung.example.de/a/",
            "",
            "2023-04-28 18:16",
            datetime(2023, 4, 28, 18, 16, tzinfo=timezone(TWO_HOURS)),
            id="a-time-without-offset-on-a-german-domain-is-german-summer-time",
        ),
        pytest.param(
            "https://zeitung.example.de/a/",
            "",
            "2024-12-02 10:56",
            datetime(2024, 12, 2, 10, 56, tzinfo=timezone(timedelta(hours=1))),
            id="and-german-winter-time-in-december",
        ),
        pytest.param(
            "https://news.example/a/",
            'lang="ja-JP"',
            "2025-01-31 11:30",
            datetime(2025, 1, 31, 11, 30, tzinfo=timezone(timedelta(hours=9))),
            id="the-region-of-the-language-tag-names-the-country",
        ),
        pytest.param(
            "https://news.example/a/",
            'lang="en-US"',
            "2025-01-31 11:30",
            datetime(2025, 1, 31, 11, 30, tzinfo=UTC),
            id="a-country-of-several-time-zones-leaves-the-time-in-utc",
        ),
        pytest.param(
            "https://zeitung.example.de/a/",
            "",
            "2023-04-28T18:16:00+02:00",
            datetime(2023, 4, 28, 18, 16, tzinfo=timezone(TWO_HOURS)),
            id="an-offset-the-page-gives-is-kept",
        ),
        pytest.param(
            "https://zeitung.example.de/a/",
            "",
            "2024-04-28T08:52:55+00:00",
            datetime(2024, 4, 28, 8, 52, 55, tzinfo=timezone(TWO_HOURS)),
            id="utc-whose-clock-time-the-text-shows-is-the-country-s-clock-time",
        ),
    ],
)
def test_time_without_offset_is_the_clock_of_the_page_country(url: str, html_attrs: str, datetime_attribute: str, published: datetime) -> None:
    shown = f"Published {datetime_attribute[11:16]}"
    meta = metadata(body=f'<p>Text.</p><time datetime="{datetime_attribute}">{shown}</time>', url=url, html_attrs=html_attrs)
    assert meta.published_at == published
    assert meta.published_at is not None and meta.published_at.utcoffset() == published.utcoffset()


def test_modified_time_without_offset_is_the_clock_of_the_page_country_too() -> None:
    meta = metadata('<meta property="article:modified_time" content="2023-04-28T19:00:00">', url="https://zeitung.example.de/a/")
    assert meta.modified_at == datetime(2023, 4, 28, 17, 0, tzinfo=UTC)


def test_utc_told_right_beside_the_country_s_clock_time_is_kept() -> None:
    body = '<p>Text.</p><time datetime="2024-12-02T19:56:56Z">02/12/2024 Actualizado a las 20:56h.</time>'
    assert metadata(body=body, url="https://diario.example.es/a/").published_at == datetime(2024, 12, 2, 19, 56, 56, tzinfo=UTC)


def test_an_asset_path_htmldate_fails_on_does_not_fail_the_page() -> None:
    meta = metadata(body='<p>Text.</p><img src="/static/2024-03-07T16:09:04-6890adf/a.jpg">')
    assert (meta.title, meta.published_at) == ("", None)
