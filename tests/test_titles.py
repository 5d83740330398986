"""Titles on small pages: the sources' majority, tails of a section or the site, the heading shown above the article, mojibake repaired."""

from __future__ import annotations

from tests.test_metadata import json_ld, metadata, news_article


def test_social_title_with_a_tail_agrees_with_the_h1_it_starts_with() -> None:
    head = (
        json_ld(news_article(headline="Counter-offensive: what Kyiv wants"))
        + '<meta property="og:title" content="Ukraine: aims, chances, risks | DW | 28.04.2023">'
    )
    body = "<h1>Ukraine: aims, chances, risks</h1><p>Text.</p>"
    assert metadata(head, body=body).title == "Ukraine: aims, chances, risks"


def test_title_element_shows_the_tail_of_a_social_title() -> None:
    head = "<title>Rates weigh on the Dax</title>" + '<meta property="og:title" content="Rates weigh on the Dax | Börsen-Zeitung">'
    assert metadata(head, body="<h1>Rates weigh on the Dax</h1><p>Text.</p>").title == "Rates weigh on the Dax"


def test_a_title_that_merely_starts_like_another_is_not_cut() -> None:
    head = json_ld(news_article(headline="LTE patent")) + '<meta property="og:title" content="LTE patent: Samsung must destroy phones">'
    body = "<h1>LTE patent: Samsung must destroy phones</h1><p>Text.</p>"
    assert metadata(head, body=body).title == "LTE patent: Samsung must destroy phones"


def test_utf8_read_as_windows_1252_in_a_tag_is_repaired() -> None:
    head = '<meta property="og:title" content="10 GB jetzt fÃ¼r nur 5,99 Euro">'
    assert metadata(head).title == "10 GB jetzt für nur 5,99 Euro"


def test_tail_naming_the_site_by_its_host_is_dropped() -> None:
    head = '<meta property="og:title" content="LTE patent: Samsung must destroy phones - Golem.de">'
    assert metadata(head, url="https://www.golem.de/news/lte-patent.html").title == "LTE patent: Samsung must destroy phones"


def test_h1_in_a_breadcrumb_trail_gives_way_to_the_heading_shown_above_the_article() -> None:
    head = json_ld(news_article(headline="Rates hold steady")) + '<meta property="og:title" content="ECB decision: rates unchanged">'
    body = (
        '<ol class="breadcrumbs"><li>Business</li><li><h1>ECB decision: rates unchanged</h1></li></ol>'
        "<article><h2>Rates hold steady</h2><p>Text.</p><h2>What it means</h2></article>"
    )
    assert metadata(head, body=body).title == "Rates hold steady"


def test_h1_in_the_navigation_is_not_counted_against_the_article_h1() -> None:
    head = json_ld(news_article(headline="Stale headline")) + '<meta property="og:title" content="Fresh headline">'
    body = "<nav><h1>Example News</h1></nav><article><h1>Fresh headline</h1><p>Text.</p></article>"
    assert metadata(head, body=body).title == "Fresh headline"


def test_style_inside_a_heading_is_not_part_of_its_text() -> None:
    head = json_ld(news_article(headline="Stale headline")) + '<meta property="og:title" content="Fresh headline">'
    body = "<h1><style>.title{font-weight:700}</style>Fresh headline</h1><p>Text.</p>"
    assert metadata(head, body=body).title == "Fresh headline"


def test_sources_split_over_the_kicker_give_the_headline_without_it() -> None:
    head = json_ld(news_article(headline="Olympics: Germany beat France")) + '<meta property="og:title" content="Germany beat France">'
    body = "<h1><span>Olympics</span><span>Germany beat France</span></h1><p>Text.</p>"
    assert metadata(head, body=body).title == "Germany beat France"


def test_heading_with_a_kicker_agrees_with_a_title_that_joins_them() -> None:
    head = json_ld(news_article(headline="Schools try AI tutors")) + '<meta property="og:title" content="Classrooms: AI makes pupils faster">'
    body = '<h1><span>Classrooms</span> <span class="sr-only">-</span> <span>AI makes pupils faster</span></h1><p>Text.</p>'
    assert metadata(head, body=body).title == "Classrooms: AI makes pupils faster"


def test_heading_with_words_of_its_own_between_its_elements_has_no_kicker() -> None:
    assert metadata(body="<h1><b>Apple</b> and <b>Google</b> settle</h1><p>Text.</p>").title == "Apple and Google settle"
