"""Zero-configuration discovery (``crawler.links``): article links and pagination on small index pages."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.links import article_links, is_candidate_article, next_page_link

SITE = "https://news.example/"
DOMAINS = ("news.example",)


def page(body: str, head: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


def teaser(href: str, title: str = "An article") -> str:
    return f'<article><h2 class="entry-title"><a href="{href}">{title}</a></h2><p>Teaser text.</p></article>'


def test_heading_links_are_found_in_page_order_and_canonicalised() -> None:
    html = page(
        teaser("/gnome-48-released/?utm_source=home&utm_medium=web")
        + teaser("https://NEWS.example:443/kernel-6-12-lands/#comments")
        + teaser("/firefox-130-is-out/?fbclid=abc")
    )
    assert article_links(html, SITE, DOMAINS) == [
        "https://news.example/gnome-48-released/",
        "https://news.example/kernel-6-12-lands/",
        "https://news.example/firefox-130-is-out/",
    ]


def test_same_article_linked_twice_is_listed_once() -> None:
    html = page(teaser("/gnome-48-released/") + teaser("/gnome-48-released/?utm_campaign=x"))
    assert article_links(html, SITE, DOMAINS) == ["https://news.example/gnome-48-released/"]


@pytest.mark.parametrize(
    "href",
    [
        # listing, legal, feed and file links
        "/tag/linux/",
        "/category/news/",
        "/author/ada/",
        "/about/",
        "/privacy-policy/",
        "/page/2/",
        "/feed/",
        "/wp-content/uploads/2024/05/screenshot.jpg",
        "/files/release-notes.pdf",
        # off-domain and non-http links
        "https://other.example/gnome-48-released/",
        "https://evilnews.example/gnome-48-released/",
        "javascript:void(0)",
        "mailto:tips@news.example",
        "data:text/html,<p>hi</p>",
    ],
)
def test_links_that_are_not_articles_of_the_site_are_excluded(href: str) -> None:
    html = page(teaser(href) + teaser("/gnome-48-released/"))
    assert article_links(html, SITE, DOMAINS) == ["https://news.example/gnome-48-released/"]


def test_subdomain_of_an_allowed_domain_is_allowed() -> None:
    html = page(teaser("https://blog.news.example/gnome-48-released/"))
    assert article_links(html, SITE, DOMAINS) == ["https://blog.news.example/gnome-48-released/"]


def test_index_page_itself_is_not_an_article() -> None:
    html = page(teaser(SITE) + teaser("/gnome-48-released/"))
    assert article_links(html, SITE, DOMAINS) == ["https://news.example/gnome-48-released/"]


def test_profile_selector_is_used_when_it_matches() -> None:
    html = page(teaser("/heading-link-article/") + '<ul class="picks"><li><a href="/picked-by-profile/">Picked</a></li></ul>')
    assert article_links(html, SITE, DOMAINS, css="ul.picks a") == ["https://news.example/picked-by-profile/"]


def test_heuristics_are_used_when_profile_selector_matches_nothing() -> None:
    html = page(teaser("/heading-link-article/"))
    assert article_links(html, SITE, DOMAINS, css="div.redesigned-away a") == ["https://news.example/heading-link-article/"]


def test_slug_links_in_main_are_the_fallback_without_article_headings() -> None:
    html = page(
        '<nav><a href="/linux-mint-22-review/">Nav slug outside main</a></nav>'
        "<main><ul>"
        '<li><a href="/linux-mint-22-review/">Linux Mint 22 review</a></li>'
        '<li><a href="/2024/05/17/news/">Dated</a></li>'
        '<li><a href="/contact/">Contact</a></li>'
        '<li><a href="/short/">Short</a></li>'
        '<li><a href="/tag/ubuntu-24-04-lts/">Tag with a slug</a></li>'
        "</ul></main>"
    )
    assert article_links(html, SITE, DOMAINS) == [
        "https://news.example/linux-mint-22-review/",
        "https://news.example/2024/05/17/news/",
    ]


def test_is_candidate_article() -> None:
    assert is_candidate_article("https://news.example/gnome-48-released/", DOMAINS)
    assert not is_candidate_article("https://news.example/", DOMAINS)
    assert not is_candidate_article("https://news.example/category/linux/", DOMAINS)
    assert not is_candidate_article("https://news.example/image.PNG", DOMAINS)
    assert not is_candidate_article("ftp://news.example/gnome-48-released/", DOMAINS)


def test_next_page_from_link_rel_next() -> None:
    html = page(teaser("/gnome-48-released/"), head='<link rel="next" href="https://news.example/page/2/?utm_source=x">')
    assert next_page_link(html, SITE, DOMAINS) == "https://news.example/page/2/"


def test_next_page_from_older_posts_label() -> None:
    html = page(teaser("/gnome-48-released/") + '<div class="nav"><a href="/older-stories/">Older posts</a></div>')
    assert next_page_link(html, SITE, DOMAINS) == "https://news.example/older-stories/"


def test_next_page_from_class_next() -> None:
    html = page(teaser("/gnome-48-released/") + '<a class="nav next" href="/listing-two/"><span class="icon"></span></a>')
    assert next_page_link(html, SITE, DOMAINS) == "https://news.example/listing-two/"


def test_next_page_from_profile_selector() -> None:
    html = page('<a class="more" href="/listing-two/">More</a><a rel="next" href="/page/9/">9</a>')
    assert next_page_link(html, SITE, DOMAINS, css="a.more") == "https://news.example/listing-two/"


def test_next_page_from_numbered_links_only() -> None:
    numbers = "".join(f'<a href="/page/{n}/">{n}</a>' for n in (1, 3, 4, 10))
    html = page(teaser("/gnome-48-released/") + f'<div class="pagination">{numbers}</div>')
    assert next_page_link(html, "https://news.example/page/2/", DOMAINS) == "https://news.example/page/3/"


def test_next_page_from_paged_query_parameter() -> None:
    html = page('<a href="/?paged=1">1</a><a href="/?paged=3">3</a>')
    assert next_page_link(html, "https://news.example/?paged=2", DOMAINS) == "https://news.example/?paged=3"


def test_no_next_page_on_the_last_page() -> None:
    numbers = "".join(f'<a href="/page/{n}/">{n}</a>' for n in (1, 2, 3, 4))
    html = page(teaser("/gnome-48-released/") + f'<div class="pagination">{numbers}</div>')
    assert next_page_link(html, "https://news.example/page/5/", DOMAINS) is None


def test_off_site_next_link_is_not_followed() -> None:
    html = page("", head='<link rel="next" href="https://other.example/page/2/">')
    assert next_page_link(html, SITE, DOMAINS) is None


@pytest.mark.parametrize("title", ["Nextcloud Hub 9 released", "Next-gen GPU drivers land in Mesa"])
def test_article_title_starting_with_next_is_not_the_next_page(title: str) -> None:
    html = page(teaser("/nextcloud-hub-9-released/", title) + '<a href="/page/2/">2</a>')
    assert next_page_link(html, SITE, DOMAINS) == "https://news.example/page/2/"
