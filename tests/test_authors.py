"""Authors on small pages: name order, organisation bylines, other languages and scripts, byline markup."""

from __future__ import annotations

import pytest

from tests.test_metadata import SITE_NAME, json_ld, metadata, news_article

SITE = f'<meta property="og:site_name" content="{SITE_NAME}">'


def test_person_given_as_given_and_family_name() -> None:
    author = [
        {"@type": "Person", "givenName": "Anna Giulia", "familyName": "Fink"},
        {"@type": "Person", "givenName": "Ada", "familyName": "Lovelace"},
    ]
    assert metadata(json_ld(news_article(author=author))).authors == ["Anna Giulia Fink", "Ada Lovelace"]


def test_last_first_of_citation_and_dublin_core_tags_is_turned_round() -> None:
    head = '<meta name="citation_author" content="Lovelace, Ada"><meta name="citation_author" content="Torvalds, Linus">'
    assert metadata(head).authors == ["Ada Lovelace", "Linus Torvalds"]
    assert metadata('<meta name="dc.creator" content="Lovelace, Ada; Hopper, Grace">').authors == ["Ada Lovelace", "Grace Hopper"]


def test_comma_in_an_author_tag_still_separates_names() -> None:
    assert metadata('<meta name="author" content="Ada Lovelace, Grace Hopper">').authors == ["Ada Lovelace", "Grace Hopper"]


def test_names_joined_by_and_in_other_languages_are_split() -> None:
    assert metadata('<meta name="author" content="By Ada Lovelace with Grace Hopper">').authors == ["Ada Lovelace", "Grace Hopper"]
    assert metadata('<meta name="author" content="Felix Schröder und Jörg Soldwisch, dpa">').authors == ["Felix Schröder", "Jörg Soldwisch", "dpa"]
    assert metadata('<meta name="author" content="Trine Jørgensen og Tôrtia Reimer-Johansen">').authors == [
        "Trine Jørgensen",
        "Tôrtia Reimer-Johansen",
    ]


def test_news_agency_signing_in_lower_case_is_an_author() -> None:
    assert metadata(json_ld(news_article(author={"@type": "Person", "name": "dpa "}))).authors == ["dpa"]


def test_site_signing_as_its_domain_or_with_a_digit_is_an_author() -> None:
    assert metadata(json_ld(news_article(author={"@type": "Organization", "name": "ndr.de"}))).authors == ["ndr.de"]
    assert metadata(json_ld(news_article(author={"@type": "Person", "name": "BR24 Redaktion"}))).authors == ["BR24 Redaktion"]


def test_the_site_itself_is_the_author_when_no_one_else_is_named() -> None:
    head = SITE + json_ld(news_article(author={"@type": "Organization", "name": SITE_NAME})) + f'<meta name="author" content="{SITE_NAME}">'
    assert metadata(head).authors == [SITE_NAME]


def test_site_in_lower_case_is_the_author_when_no_one_else_is_named() -> None:
    head = '<meta property="og:site_name" content="kicker">' + json_ld(news_article(author={"@type": "Organization", "name": "kicker"}))
    assert metadata(head).authors == ["kicker"]


def test_a_person_named_in_a_later_source_wins_over_the_site() -> None:
    head = (
        SITE + json_ld(news_article(author={"@type": "Organization", "name": SITE_NAME})) + '<meta name="cXenseParse:author" content="Ada Lovelace">'
    )
    assert metadata(head).authors == ["Ada Lovelace"]


def test_site_named_by_its_host_or_in_another_script_is_the_site() -> None:
    head = (
        '<meta property="og:site_name" content="Israel News – חדשות ישראל">'
        + '<meta name="author" content="חדשות ישראל"><meta name="author" content="Ada Lovelace">'
    )
    assert metadata(head).authors == ["Ada Lovelace"]
    head = json_ld(news_article(author={"@type": "Organization", "name": "NTV"})) + '<meta name="author" content="Ada Lovelace">'
    assert metadata(head, url="https://www.ntv.com.tr/dunya/story").authors == ["Ada Lovelace"]


def test_korean_reporter_suffix_is_no_part_of_the_name() -> None:
    assert metadata('<meta name="author" content="신현주 기자">').authors == ["신현주"]


def test_description_after_the_name_is_dropped() -> None:
    author = {"@type": "Person", "name": "Povilas Aleksandravičius, professor at the Faculty of Human Studies of Mykolas Romeris University, Lrt.lt"}
    assert metadata(json_ld(news_article(author=author))).authors == ["Povilas Aleksandravičius", "Lrt.lt"]


def test_written_by_label_of_an_seo_plugin() -> None:
    head = (
        '<meta name="twitter:label1" content="Verfasst von"><meta name="twitter:data1" content="Gregor Meier">'
        '<meta name="twitter:label2" content="Lesezeit"><meta name="twitter:data2" content="3 Minuten">'
    )
    assert metadata(head).authors == ["Gregor Meier"]


def test_first_byline_element_of_the_article_without_its_prefix() -> None:
    body = (
        '<article><h1>GNOME 48</h1><p class="author">von <a href="mailto:ada@news.example">Ada Lovelace</a></p><p>Text.</p>'
        '<section class="comments"><span class="comment-author">Troll Account</span></section></article>'
    )
    assert metadata(body=body).authors == ["Ada Lovelace"]
    assert metadata(body='<article><h1>T</h1><div class="byline">Von Seb Dumitru</div></article>').authors == ["Seb Dumitru"]


def test_author_box_is_no_byline() -> None:
    body = '<article><h1>GNOME 48</h1><p>Text.</p><div class="author-bio">Ada Lovelace writes about computers.</div></article>'
    assert metadata(body=body).authors == []


def test_von_der_leyen_keeps_her_name() -> None:
    assert metadata('<meta name="author" content="Ursula Von der Leyen">').authors == ["Ursula Von der Leyen"]
    assert metadata('<meta name="author" content="Von der Leyen">').authors == ["Von der Leyen"]


def test_byline_label_alone_is_no_name() -> None:
    for label in ("By", "Von"):
        byline = f'<span class="byline-label">{label}</span> <span class="byline-name">Ada Lovelace</span>'
        body = f'<article><h1>T</h1><div class="byline">{byline}</div></article>'
        assert metadata(body=body).authors == ["Ada Lovelace"]


def test_byline_words_in_separate_elements_stay_apart() -> None:
    assert metadata(body='<article><h1>T</h1><p class="author">von<a href="#">Ada Lovelace</a></p></article>').authors == ["Ada Lovelace"]
    # no byline class: the "By ..." text just after the headline
    assert metadata(body='<article><h1>T</h1><div>von<a href="/p/1">Ada Lovelace</a></div></article>').authors == ["Ada Lovelace"]


def test_co_authors_in_the_same_byline_markup() -> None:
    body = (
        '<article><h1>T</h1><div class="authors">'
        '<a href="#"><img alt=""><span class="author-name">Ada Lovelace</span></a>'
        '<a href="#"><img alt=""><span class="author-name">Grace Hopper</span></a></div>'
        '<p>Text.</p><aside><ul><li><span class="author-name">Teaser Author</span></li></ul></aside></article>'
    )
    assert metadata(body=body).authors == ["Ada Lovelace", "Grace Hopper"]


def test_links_to_author_pages_that_spell_the_name() -> None:
    body = (
        '<article><h1>T</h1><p><a href="/author/ada-lovelace">Ada Lovelace</a>, <a href="/author/jorg-muller/">Jörg Müller</a>'
        ' and <a href="https://news.example/authors/grace-hopper">Grace Hopper</a></p><p>Text.</p>'
        '<p><a href="/author/ada-lovelace">More by Ada</a> <a href="/author/linus-torvalds">Linus Torvalds</a></p></article>'
    )
    assert metadata(body=body).authors == ["Ada Lovelace", "Jörg Müller", "Grace Hopper"]
    body = '<article><h1>T</h1><p><a href="/author/ada-lovelace">All articles</a> <a href="/authors/12345">Grace Hopper</a></p></article>'
    assert metadata(body=body).authors == []


def test_author_tag_naming_only_the_first_author_gives_way_to_the_linked_byline() -> None:
    head = '<meta name="author" content="Ada Lovelace">'
    byline = '<p><a rel="author" href="/a">Ada Lovelace</a> und <a rel="author" href="/g">Grace Hopper</a></p>'
    assert metadata(head, body=f"<article><h1>T</h1>{byline}</article>").authors == ["Ada Lovelace", "Grace Hopper"]
    other = '<p><a rel="author" href="/l">Linus Torvalds</a>, <a rel="author" href="/g">Grace Hopper</a></p>'
    assert metadata(head, body=f"<article><h1>T</h1>{other}</article>").authors == ["Ada Lovelace"]
    dateline = '<p class="byline">Ada Lovelace, Frankfurt</p>'
    assert metadata(head, body=f"<article><h1>T</h1>{dateline}</article>").authors == ["Ada Lovelace"]


def test_role_after_a_name_is_no_name() -> None:
    author = {"@type": "Person", "name": "Ada Lovelace, Political Correspondent"}
    assert metadata(json_ld(news_article(author=author))).authors == ["Ada Lovelace"]
    assert metadata('<meta name="author" content="Ada Lovelace - Technology Editor">').authors == ["Ada Lovelace"]
    assert metadata('<meta name="author" content="Guardian staff reporter">').authors == ["Guardian staff reporter"]


def test_social_media_handle_or_email_address_beside_a_name_is_dropped() -> None:
    assert metadata('<meta name="author" content="Ada Lovelace @ada_l">').authors == ["Ada Lovelace"]
    assert metadata('<meta name="author" content="By Ada Lovelace (@ada_l)">').authors == ["Ada Lovelace"]
    assert metadata('<meta name="author" content="@ada_l">').authors == []
    byline = '<div class="author">Ada Lovelace <a href="mailto:ada@news.example">ada@news.example</a></div>'
    assert metadata(body=f"<article><h1>T</h1>{byline}</article>").authors == ["Ada Lovelace"]


def test_publishing_company_is_the_author_only_when_no_one_else_is_named() -> None:
    head = '<meta name="author" content="Example Zeitung GmbH">'
    assert metadata(head, body='<article><h1>T</h1><p class="byline">Von Ada Lovelace</p></article>').authors == ["Ada Lovelace"]
    assert metadata(head).authors == ["Example Zeitung GmbH"]


def test_byline_text_beside_a_nested_source_line() -> None:
    byline = '<div class="byline"><span>By Ada Lovelace and Grace Hopper</span><span class="byline__source">The Associated Press</span></div>'
    assert metadata(body=f"<article><h1>T</h1>{byline}</article>").authors == ["Ada Lovelace", "Grace Hopper"]


def test_icon_title_is_no_byline_text() -> None:
    byline = '<address class="author"><a href="mailto:ada@news.example"><svg><title>Email</title></svg>Ada Lovelace</a></address>'
    assert metadata(body=f"<article><h1>T</h1>{byline}</article>").authors == ["Ada Lovelace"]


def test_byline_date_is_no_part_of_the_name() -> None:
    byline = '<div class="attribution">Ada Lovelace<span>|</span><span>Published <time>4 months ago</time></span></div>'
    assert metadata(body=f"<article><h1>T</h1>{byline}</article>").authors == ["Ada Lovelace"]
    assert metadata(body='<article><h1>T</h1><p class="byline">By Ada Lovelace Updated June 5, 2024</p></article>').authors == ["Ada Lovelace"]


@pytest.mark.parametrize("label", ["Updated", "Veröffentlicht", "Pubblicato", "Aggiornato", "Atualizado"])
def test_a_date_label_in_the_byline_ends_the_name_in_every_language(label: str) -> None:
    byline = f'<p class="byline">By Ada Lovelace {label} 5.6.2024 10:30</p>'
    assert metadata(body=f"<article><h1>T</h1>{byline}</article>").authors == ["Ada Lovelace"]


def test_picture_credit_is_no_byline() -> None:
    figure = '<figure><figcaption class="caption-attribution">Jane Photographer</figcaption></figure>'
    body = f'<article><h1>T</h1>{figure}<p class="attribution">Ada Lovelace</p></article>'
    assert metadata(body=body).authors == ["Ada Lovelace"]


def test_author_page_spells_the_name_without_its_titles() -> None:
    byline = '<p><a href="/autoren/name/ada-lovelace">Dr. Ada Lovelace</a></p>'
    assert metadata(body=f"<article><h1>T</h1>{byline}</article>").authors == ["Dr. Ada Lovelace"]
    assert metadata(body='<article><h1>T</h1><p><a href="/authors/list">Authors</a></p></article>').authors == []


def test_generational_suffix_stays_with_its_name() -> None:
    assert metadata('<meta name="author" content="Martin Luther King, Jr., Ada Lovelace">').authors == ["Martin Luther King, Jr.", "Ada Lovelace"]


def test_place_or_outlet_after_a_name_is_dropped() -> None:
    author = [{"@type": "Person", "name": "By ADA LOVELACE FOR EXAMPLE.COM"}, {"@type": "Person", "name": "Grace Hopper in Kyiv"}]
    assert metadata(json_ld(news_article(author=author))).authors == ["ADA LOVELACE", "Grace Hopper"]


def test_co_authors_links_in_repeated_byline_elements() -> None:
    byline = "".join(
        f'<div class="author"><a href="/authors/{slug}/">{name}</a></div>'
        for slug, name in [("ada-lovelace", "Ada Lovelace"), ("grace-hopper", "Grace Hopper")]
    )
    assert metadata(body=f'<article><h1>T</h1><div class="byline">{byline}</div><p>Text.</p></article>').authors == ["Ada Lovelace", "Grace Hopper"]


def test_byline_text_after_the_headline_without_byline_markup() -> None:
    body = '<nav><span>By topic</span></nav><h1>T</h1><div class="x1"><img alt=""><span class="m2">von Ada Lovelace</span></div><p>Text.</p>'
    assert metadata(body=body).authors == ["Ada Lovelace"]
    assert metadata(body='<h1>T</h1><p class="c9">By <a href="/p/1">Ada Lovelace</a> and <a href="/p/2">Grace Hopper</a></p>').authors == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert metadata(body="<h1>T</h1><p>By Monday, Ada Lovelace and Grace Hopper had written the first program for the engine.</p>").authors == []
    assert metadata(body="<h1>T</h1><h2>By the numbers</h2><p>Text.</p>").authors == []


def test_reading_time_after_a_bullet_is_no_part_of_the_byline() -> None:
    assert metadata(body='<article><h1>T</h1><div class="byline">By Ada Lovelace • 5 min read</div></article>').authors == ["Ada Lovelace"]


def test_byline_label_alone_in_its_element_before_the_name() -> None:
    assert metadata(body='<h1>T</h1><div><span>by</span> <a href="/p/1">Ada Lovelace</a></div><p>Text.</p>').authors == ["Ada Lovelace"]


def test_author_links_in_the_site_menus_are_no_byline() -> None:
    menu = '<div class="main-menu"><ul><li class="menu-item"><a href="/author/columnist-desk/">Columnist Desk</a></li></ul></div>'
    footer = '<footer><a href="/author/grace-hopper/">Grace Hopper</a></footer>'
    byline = '<div class="x"><a href="/author/ada-lovelace/">Ada Lovelace</a></div>'
    assert metadata(body=f"{menu}<h1>T</h1>{byline}<p>Text.</p>{footer}").authors == ["Ada Lovelace"]


def test_site_named_with_or_without_the_is_the_site() -> None:
    head = '<meta property="og:site_name" content="The Example Post">' + json_ld(
        news_article(author={"@type": "Organization", "name": "Example Post"})
    )
    assert metadata(head + '<meta name="author" content="Ada Lovelace">').authors == ["Ada Lovelace"]
