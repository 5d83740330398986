"""Titles on small pages: the sources' majority, tails of a section or the site, the heading shown above the article, mojibake repaired."""

from __future__ import annotations

import pytest

from tests.test_metadata import json_ld, metadata, news_article

BREADCRUMB_H1 = (
    '<ol class="breadcrumbs"><li>Business</li><li><h1>ECB decision: rates unchanged</h1></li></ol>'
    "<article><h2>Rates hold steady</h2><p>Text.</p><h2>What it means</h2></article>"
)
KICKER_AND_HEADLINE = "<h1><span>Olympics</span><span>Germany beat France</span></h1>"
KICKER_HIDDEN_SEPARATOR_AND_HEADLINE = '<h1><span>Classrooms</span> <span class="sr-only">-</span> <span>AI makes pupils faster</span></h1>'


@pytest.mark.parametrize(
    ("body", "headline", "social_title", "title"),
    [
        pytest.param(
            "<h1>Ukraine: aims, chances, risks</h1>",
            "Counter-offensive: what Kyiv wants",
            "Ukraine: aims, chances, risks | DW | 28.04.2023",
            "Ukraine: aims, chances, risks",
            id="social-title-with-a-tail-agrees-with-the-h1-it-starts-with",
        ),
        pytest.param(
            "<h1>LTE patent: Samsung must destroy phones</h1>",
            "LTE patent",
            "LTE patent: Samsung must destroy phones",
            "LTE patent: Samsung must destroy phones",
            id="a-title-that-merely-starts-like-another-is-not-cut",
        ),
        pytest.param(
            BREADCRUMB_H1, "Rates hold steady", "ECB decision: rates unchanged", "Rates hold steady", id="breadcrumb-h1-gives-way-to-the-h2-shown"
        ),
        pytest.param(
            "<nav><h1>Example News</h1></nav><article><h1>Fresh headline</h1></article>",
            "Stale headline",
            "Fresh headline",
            "Fresh headline",
            id="h1-in-the-nav-is-not-counted-against-the-article-h1",
        ),
        pytest.param(
            "<h1><style>.title{font-weight:700}</style>Fresh headline</h1>",
            "Stale headline",
            "Fresh headline",
            "Fresh headline",
            id="style-inside-a-heading-is-not-its-text",
        ),
        pytest.param(
            KICKER_AND_HEADLINE,
            "Olympics: Germany beat France",
            "Germany beat France",
            "Germany beat France",
            id="sources-split-over-the-kicker-give-the-headline-without-it",
        ),
        pytest.param(
            KICKER_HIDDEN_SEPARATOR_AND_HEADLINE,
            "Schools try AI tutors",
            "Classrooms: AI makes pupils faster",
            "Classrooms: AI makes pupils faster",
            id="heading-with-a-kicker-agrees-with-a-title-that-joins-them",
        ),
        pytest.param(
            "<h1>“Why do they fight?” Minister calls for unity</h1>",
            "Why do they fight? Minister calls for unity",
            "“Why do they fight?” Minister calls for unity",
            "Why do they fight? Minister calls for unity",
            id="titles-differing-only-in-quotation-marks-agree-and-are-given-without-them",
        ),
    ],
)
def test_title_among_json_ld_headline_social_title_and_heading(body: str, headline: str, social_title: str, title: str) -> None:
    head = json_ld(news_article(headline=headline)) + f'<meta property="og:title" content="{social_title}">'
    assert metadata(head, body=body + "<p>Text.</p>").title == title


@pytest.mark.parametrize(
    ("social_title", "heading", "title"),
    [
        pytest.param(
            "Rates hold steady as inflation…", "Rates hold steady as inflation eases", "Rates hold steady as inflation eases", id="ellipsis"
        ),
        pytest.param(
            "Rates hold steady as inflation...", "Rates hold steady as inflation eases", "Rates hold steady as inflation eases", id="three-dots"
        ),
        pytest.param(
            'Rates hold "steady" as inflation eases',
            'Rates hold "steady" as inflation eases',
            'Rates hold "steady" as inflation eases',
            id="attribute-ended-by-an-unescaped-quotation-mark",
        ),
        pytest.param("Rates hold", "Rates hold steady as inflation eases", "Stale headline", id="a-shorter-title-is-not-cut-short"),
    ],
)
def test_title_cut_short_counts_as_the_title_it_begins(social_title: str, heading: str, title: str) -> None:
    head = json_ld(news_article(headline="Stale headline")) + f'<meta property="og:title" content="{social_title}">'
    assert metadata(head, body=f"<h1>{heading}</h1><p>Text.</p>").title == title


def test_title_element_shows_the_tail_of_a_social_title() -> None:
    head = "<title>Rates weigh on the Dax</title>" + '<meta property="og:title" content="Rates weigh on the Dax | Börsen-Zeitung">'
    assert metadata(head, body="<h1>Rates weigh on the Dax</h1><p>Text.</p>").title == "Rates weigh on the Dax"


@pytest.mark.parametrize(
    ("page_title", "title"),
    [
        pytest.param("Olympics: Germany beat France | Example News", "Olympics: Germany beat France", id="title-element-with-the-kicker"),
        pytest.param("Germany beat France | Example News", "Germany beat France", id="title-element-without-the-kicker"),
        pytest.param("Example News", "Germany beat France", id="title-element-naming-neither"),
    ],
)
def test_heading_with_a_kicker_alone_is_given_as_the_title_element_gives_it(page_title: str, title: str) -> None:
    head = f'<title>{page_title}</title><meta property="og:site_name" content="Example News">'
    assert metadata(head, body=KICKER_AND_HEADLINE + "<p>Text.</p>").title == title


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            "<article><h1>Rates hold steady</h1><p>Text.</p></article><aside><h1>Markets fall</h1><h1>Oil rises again</h1></aside>",
            id="first-of-several-h1-is-the-article-s",
        ),
        pytest.param("<h1>Business</h1><h1>Rates hold steady</h1><p>Text.</p><h1>Related stories</h1>", id="one-word-section-label-passed-over"),
        pytest.param("<h1>Example News Business</h1><h1>Rates hold steady</h1><p>Text.</p>", id="site-logo-with-a-section-passed-over"),
    ],
)
def test_heading_among_several_h1_is_the_first_that_may_be_a_headline(body: str) -> None:
    head = json_ld(news_article(headline="Stale headline")) + '<meta property="og:title" content="Rates hold steady">'
    head += '<meta property="og:site_name" content="Example News">'
    assert metadata(head, body=body).title == "Rates hold steady"


def test_site_logo_in_an_h1_is_not_a_heading() -> None:
    head = '<title>Rates hold steady | Example News</title><meta property="og:site_name" content="Example News">'
    assert metadata(head, body="<h1>Example News</h1><p>Text.</p>").title == "Rates hold steady"


def test_utf8_read_as_windows_1252_in_a_tag_is_repaired() -> None:
    head = '<meta property="og:title" content="10 GB jetzt fÃ¼r nur 5,99 Euro">'
    assert metadata(head).title == "10 GB jetzt für nur 5,99 Euro"


@pytest.mark.parametrize(
    ("url", "social_title", "title"),
    [
        pytest.param("https://www.cbc.ca/news/1.7", "Rates hold steady | CBC News", "Rates hold steady", id="site-name-and-a-word-after-it"),
        pytest.param(
            "https://www.tageszeitung.it/2025/04/16/einsatz/",
            "Unermüdlicher Einsatz - Die Neue Südtiroler Tageszeitung",
            "Unermüdlicher Einsatz",
            id="words-before-the-site-name",
        ),
        pytest.param(
            "https://www.ndr.de/nachrichten/meteorit.html",
            "Es war ein Meteorit | NDR.de - Nachrichten - Schleswig-Holstein",
            "Es war ein Meteorit",
            id="site-name-then-sections",
        ),
        pytest.param(
            "https://time.com/6/", "Strike ends - Time to go home", "Strike ends - Time to go home", id="site-name-starting-a-phrase-is-kept"
        ),
    ],
)
def test_last_part_of_a_title_made_of_the_site_name_and_capitalised_words_is_dropped(url: str, social_title: str, title: str) -> None:
    assert metadata(f'<meta property="og:title" content="{social_title}">', url=url).title == title


def test_tail_naming_the_site_by_its_host_is_dropped() -> None:
    head = '<meta property="og:title" content="LTE patent: Samsung must destroy phones - Golem.de">'
    assert metadata(head, url="https://www.golem.de/news/lte-patent.html").title == "LTE patent: Samsung must destroy phones"


def test_heading_with_words_of_its_own_between_its_elements_has_no_kicker() -> None:
    assert metadata(body="<h1><b>Apple</b> and <b>Google</b> settle</h1><p>Text.</p>").title == "Apple and Google settle"


def test_site_tail_after_a_full_width_separator_is_dropped() -> None:
    head = '<meta property="og:site_name" content="東京新聞デジタル"><meta property="og:title" content="南海トラフ、一時調査：東京新聞デジタル">'
    assert metadata(head).title == "南海トラフ、一時調査"
    assert metadata('<meta property="og:title" content="巨大地震：基準達せず">').title == "巨大地震：基準達せず"


def test_tail_after_the_site_name_goes_with_it() -> None:
    head = '<meta property="og:site_name" content="DW"><meta property="og:title" content="Post-Vac syndrome: what do we know? – DW – 13.06.2023">'
    assert metadata(head).title == "Post-Vac syndrome: what do we know?"


def test_tail_naming_the_site_without_its_the_is_dropped() -> None:
    head = '<meta property="og:site_name" content="The Example Post"><meta property="og:title" content="Rates hold steady | Example Post">'
    assert metadata(head).title == "Rates hold steady"
