"""Body extraction and cleaning: what stays (article) and what goes (everything else)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extraction import BodyRules, clean_body, extract_article
from crawler.extraction.page import is_article

PARAGRAPHS = [
    "The Linux 6.12 kernel is out, and it is the first release with the real-time patches merged upstream.",
    "Linus Torvalds announced the release on Sunday after a calm final week of the merge window.",
    "Among the new drivers are support for the latest Intel graphics and several ARM laptops.",
    "Distributions such as Fedora and Arch Linux are expected to ship the new kernel within weeks.",
]
ARTICLE_TEXT = " ".join(PARAGRAPHS) * 3
TWO_PARAGRAPHS = f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}"


def between_two_paragraphs(line: str) -> str:
    """A body of two article paragraphs with ``line`` as a paragraph between them."""
    return f"<div><p>{PARAGRAPHS[0]}</p><p>{line}</p><p>{PARAGRAPHS[1]}</p></div>"


def test_boilerplate_inside_the_content_container_is_removed() -> None:
    html = f"""<div class="entry-content">
      <p>{PARAGRAPHS[0]}</p>
      <div class="sharedaddy"><h3>Share this:</h3><a href="#">Twitter</a></div>
      <p>{PARAGRAPHS[1]}</p>
      <div class="newsletter-box"><p>Subscribe now!</p><form><input></form></div>
      <div class="jp-relatedposts"><h3>Related</h3><p><a href="/x/">Other story</a></p></div>
      <div class="author-box"><p>Jane writes about kernels.</p></div>
      <div class="ad">Buy hosting</div>
      <div id="comments"><p>First!</p></div>
    </div>"""
    assert clean_body(html) == f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}"


def test_headings_lists_and_quotes_stay_as_paragraphs() -> None:
    html = f"""<div><p>{PARAGRAPHS[0]}</p><h2>What is new</h2>
      <ul><li>Real-time   scheduling</li><li>New <b>drivers</b></li></ul>
      <blockquote><p>It was a calm release.</p></blockquote>
      <figure><img src="a.png"><figcaption>Image credit: Tux</figcaption></figure>
      <p>{PARAGRAPHS[1]}<br>Second line.</p></div>"""
    assert clean_body(html).split("\n\n") == [
        PARAGRAPHS[0],
        "What is new",
        "• Real-time scheduling",
        "• New drivers",
        "It was a calm release.",
        f"{PARAGRAPHS[1]} Second line.",
    ]


def test_paragraph_breaks_fall_around_every_block_however_nested() -> None:
    """Blocks inside table cells, list items and other blocks, rules and line breaks: each block its own paragraph."""
    html = """<div><h2>Benchmarks</h2><div><p>Kernel <b>6.9</b> boots<br>faster</p><hr><p>than 6.8 did.</p></div>
      <table><tr><th>Board</th><td><p>Pi 5</p>2.1 s</td></tr><tr><td>Pi 4</td><td>3.4 s</td></tr></table>
      <ul><li><p>Real-time scheduling</p>merged</li><li>New <i>drivers</i><ol><li>Wi-Fi</li></ol></li></ul>
      <blockquote>Quoted<div>block</div>tail</blockquote>after</div>"""
    assert clean_body(html).split("\n\n") == [
        "Benchmarks",
        "Kernel 6.9 boots faster",
        "than 6.8 did.",
        "Board",
        "Pi 5",
        "2.1 s",
        "Pi 4 3.4 s",
        "Real-time scheduling",
        "merged",
        "• New drivers",
        "• Wi-Fi",
        "Quoted",
        "block",
        "tail",
        "after",
    ]


def test_short_boilerplate_paragraphs_are_dropped_by_their_words() -> None:
    html = f"""<div><p>{PARAGRAPHS[0]}</p><p>Advertisement</p><p>Share this article</p>
      <p>Read more: Ten distros to try</p><p>{PARAGRAPHS[1]}</p>
      <p>Subscribe to our newsletter for weekly news.</p></div>"""
    assert clean_body(html) == f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}"


@pytest.mark.parametrize(
    "read_also",
    [
        "Lesen Sie auch: Neue Kernel für alte Laptops",
        "Auch interessant",
        "À lire aussi Les distributions de l'année",
        "Les også: Ny kjerne for gamle maskiner",
        "Czytaj więcej",
        "FUNDA OLUNYE UDABA LAPHA | Ikhishwe i-kernel entsha",
    ],
)
def test_links_to_other_stories_announced_in_other_languages_are_dropped(read_also: str) -> None:
    assert clean_body(between_two_paragraphs(read_also)) == TWO_PARAGRAPHS


@pytest.mark.parametrize(
    "credit",
    ["Quelle: AFP", "(Quelle: APA/sda/dpa)", "Image: Jane Doe/Example Newspapers", "Kilde: helsenorge.no", "mit dpa", "Mit Agenturmaterial."],
)
def test_source_and_agency_credit_lines_are_dropped(credit: str) -> None:
    assert clean_body(between_two_paragraphs(credit)) == TWO_PARAGRAPHS


def test_a_sentence_that_names_its_source_after_a_colon_is_kept() -> None:
    html = f"<div><p>{PARAGRAPHS[0]}</p><p>Source: the maintainers, who say: the next release ships in May.</p></div>"
    assert clean_body(html).split("\n\n")[1] == "Source: the maintainers, who say: the next release ships in May."


@pytest.mark.parametrize(
    "furniture",
    [
        "Anzeige",
        "Passer la publicité",
        "Publicidad",
        "Fehler gefunden? Jetzt melden.",
        "Spotted a typo? Tell us.",
        "Wie hat Ihnen dieser Artikel gefallen?",
        "Was this article helpful?",
        "Durchschnittliche Bewertung: 4,5",
        "Ein Klick für den Datenschutz",
        "Link zum YouTube-Inhalt",
        "External content",
        "This embed is blocked by your privacy settings.",
    ],
)
def test_page_furniture_labelled_in_other_languages_is_dropped(furniture: str) -> None:
    assert clean_body(between_two_paragraphs(furniture)) == TWO_PARAGRAPHS


def test_long_paragraph_that_starts_like_boilerplate_is_kept() -> None:
    prose = "Sponsored by the Linux Foundation, the summit " + "gathered developers from many companies " * 5
    assert clean_body(f"<p>{prose}</p>") == " ".join(prose.split())


def test_repeated_title_and_related_tail_are_cut() -> None:
    html = f"""<div><h1>Linux 6.12 released</h1>{"".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)}
      <h3>You may also like</h3><p>Linux 6.11 released with new drivers for many machines and laptops</p></div>"""
    assert clean_body(html, title="Linux 6.12  released") == "\n\n".join(PARAGRAPHS * 3)


def test_related_marker_early_in_a_body_does_not_cut_the_article() -> None:
    html = f"<div><p>{PARAGRAPHS[0]}</p><p>Related</p>{''.join(f'<p>{p}</p>' for p in PARAGRAPHS[1:])}</div>"
    # The lone label goes, the article after it stays.
    assert clean_body(html).split("\n\n") == PARAGRAPHS


def test_profile_body_selector_and_remove_rules_win_over_the_generic_extractor() -> None:
    page = f"""<html><body><div class="post"><div class="story">{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
      <div class="promo">Our shop has mugs</div></div></div><div class="sidebar">Popular today</div></body></html>"""
    extracted = extract_article(page, "https://example.org/a/", BodyRules(body="div.story", remove=(".promo",)))
    assert extracted.body_method == "profile"
    assert clean_body(extracted.body_html) == "\n\n".join(PARAGRAPHS)


def test_generic_extractor_is_used_when_the_profile_selector_finds_nothing() -> None:
    page = f"""<html><head><title>Kernel</title></head><body><nav><a href="/">Home</a> <a href="/about/">About</a></nav>
      <article>{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</article>
      <footer>© 2026 Example</footer></body></html>"""
    extracted = extract_article(page, "https://example.org/a/", BodyRules(body="div.no-such-body"))
    assert extracted.body_method.startswith("trafilatura")
    assert clean_body(extracted.body_html) == "\n\n".join(PARAGRAPHS)


def test_whether_a_page_is_an_article() -> None:
    day = datetime(2026, 11, 2, tzinfo=UTC)
    assert is_article("json-ld", None, "Short text.")
    assert is_article("og", day, "Short text.")
    assert is_article("og", None, "Short text.")
    assert is_article("", day, ARTICLE_TEXT)
    assert not is_article("", None, ARTICLE_TEXT), "a long text without a date is a page, not an article"
    assert not is_article("", day, "A short dated note.")
    assert not is_article("json-ld", day, "")


def test_credits_and_newsletter_pitches_are_dropped_anywhere() -> None:
    furniture = [
        "(Reporting by Greg Roumeliotis; editing by Martin Howell.)",
        "Email Jane Doe at jane@example.com or follow her on Twitter.",
        "Start your day with our digest. Sign up for the free daily newsletter.",
        "Pick Six Newsletter",
        "Reading time: 3 minutes",
        "Lesedauer: 4 Minuten",
        "SEE MORE: Ten distros to try",
    ]
    html = f"<div><p>{PARAGRAPHS[0]}</p>" + "".join(f"<p>{line}</p>" for line in furniture) + f"<p>{PARAGRAPHS[1]}</p></div>"
    assert clean_body(html) == f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}"


@pytest.mark.parametrize(
    "line",
    [
        "by Jane Doe Monday, November 18, 2019",
        "November 20, 2019 - 11:28 AMT",
        "Updated at 1:23 p.m.",
        "segunda-feira, 22 de janeiro de 2018 às 0:13",
        "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: carros",
        "By Jane Doe",
        "von Katja Belousova",
        "Von Anna Sleegers, Frankfurt",
        "Par Les Echos",
    ],
)
def test_date_and_post_meta_lines_at_either_end_of_the_body_are_dropped(line: str) -> None:
    html = f"<div><p>{line}</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<p>{line}</p></div>"
    assert clean_body(html).split("\n\n") == PARAGRAPHS


def test_article_text_that_looks_like_furniture_is_kept() -> None:
    lines = [
        "On October 10, 2024, Ubuntu 24.10 arrived with GNOME 47.",
        "2019 was a great year for the Linux desktop and its users.",
        "1a etapa: 10 de março – Interlagos",
        "Monday brings the release candidate, as usual.",
        "WordPress 6.5 lets you filter posts by tags and categories at once.",
        "Thunderbird 128 now groups your newsletters in a unified inbox.",
        "Editing by hand is no longer needed with the new tool.",
        "Most popular distributions now ship PipeWire by default.",
        "See also the man page for every option.",
        "Email notifications now link to the post on Twitter.",
        "By Tuesday the kernel was out.",
        "Found an error in the scheduler, the developers fixed it at once.",
    ]
    html = "<div>" + "".join(f"<p>{line}</p>" for line in lines) + "</div>"
    assert clean_body(html).split("\n\n") == lines


def test_date_line_in_the_middle_of_a_body_is_article_text() -> None:
    schedule = "February 20, 2025: Feature Freeze"
    html = "<div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3]) + f"<p>{schedule}</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    assert schedule in clean_body(html).split("\n\n")


def test_article_split_into_same_class_chunks_is_extracted_whole() -> None:
    # The generic extractor takes the first "article__body" container only; the chunks
    # after it, separated by an ad row, are the rest of the article.
    paragraphs = [f"Part {part}: {paragraph}" for part in range(3) for paragraph in PARAGRAPHS]
    chunks = [paragraphs[:6], paragraphs[6:]]
    body = '<div class="row"><span>Advertisement</span></div>'.join(
        '<div class="grid"><div class="article__body">' + "".join(f"<p>{p}</p>" for p in chunk) + "</div></div>" for chunk in chunks
    )
    html = f"<html><body><article><h1>Linux 6.12</h1>{body}</article></body></html>"
    page = extract_article(html, "https://news.example/linux-6-12/")
    assert clean_body(page.body_html, page.metadata.title).split("\n\n") == paragraphs


def test_section_heading_opening_a_tutorial_is_kept() -> None:
    html = f"<div><h1>Installing Arch Linux</h1><p>{PARAGRAPHS[0]}</p></div>"
    assert clean_body(html, "How to set up a laptop for development").split("\n\n") == ["Installing Arch Linux", PARAGRAPHS[0]]


def test_headline_opening_the_body_or_repeating_the_title_is_dropped() -> None:
    html = f"""<div class="entry-content"><h1>Linux 6.12 is finally released</h1><p>{PARAGRAPHS[0]}</p>
      <h2>Linux 6.12 released</h2><p>{PARAGRAPHS[1]}</p><h2>Drivers</h2><p>{PARAGRAPHS[2]}</p></div>"""
    assert clean_body(html, "Linux 6.12 released").split("\n\n") == [PARAGRAPHS[0], PARAGRAPHS[1], "Drivers", PARAGRAPHS[2]]


@pytest.mark.parametrize("tag", ["h1", "h2"])
def test_headline_after_a_kicker_opening_the_body_is_dropped(tag: str) -> None:
    kicker = "Kernel news from the Linux Plumbers Conference in Vienna"  # longer than the title: no rewording of it
    html = f"<div><{tag}>{kicker}: The real-time patches land</{tag}><p>{PARAGRAPHS[0]}</p></div>"
    assert clean_body(html, "The real-time patches land").split("\n\n") == [PARAGRAPHS[0]]


def test_section_heading_holding_a_short_title_is_kept() -> None:
    html = f"<div><h2>Kernel 6.12 on a laptop with the new scheduler</h2><p>{PARAGRAPHS[0]}</p></div>"
    assert clean_body(html, "Kernel 6.12").split("\n\n") == ["Kernel 6.12 on a laptop with the new scheduler", PARAGRAPHS[0]]


def test_list_of_links_to_other_stories_is_dropped_but_other_lists_stay() -> None:
    stories = "".join(f'<li><a href="/story-{n}/">Another long headline about Linux number {n}</a></li>' for n in range(3))
    downloads = '<ul><li><a href="/iso">Ubuntu</a></li><li><a href="/fedora">Fedora</a></li><li><a href="/arch">Arch</a></li></ul>'
    html = f"""<html><body><article class="post"><h1>Linux 6.12</h1><div class="entry-content">
      <p>{PARAGRAPHS[0]}</p><ul>{stories}</ul><p>{PARAGRAPHS[1]}</p>{downloads}
      <ul><li>Real-time scheduling <a href="/rt">merged</a> upstream at last</li><li>New drivers for many laptops</li>
      <li>Faster boot on ARM machines</li></ul><p>{PARAGRAPHS[2]}</p></div></article></body></html>"""
    page = extract_article(html, "https://news.example/linux-6-12/", BodyRules(body=".entry-content"))
    assert clean_body(page.body_html, page.metadata.title).split("\n\n") == [
        PARAGRAPHS[0],
        PARAGRAPHS[1],
        "• Ubuntu",
        "• Fedora",
        "• Arch",
        "• Real-time scheduling merged upstream at last",
        "• New drivers for many laptops",
        "• Faster boot on ARM machines",
        PARAGRAPHS[2],
    ]


def test_list_of_links_to_other_stories_after_kickers_is_dropped_but_a_list_of_sources_stays() -> None:
    stories = "".join(f'<li><strong>Kernel {n}:</strong> <a href="/story-{n}/">What the new scheduler changes for laptops</a></li>' for n in range(3))
    sources = "".join(f'<li>The release notes of version {n} name <a href="/notes-{n}">the scheduler</a></li>' for n in range(3))
    html = f"""<html><body><article class="post"><h1>Linux 6.12</h1><div class="entry-content">
      <p>{PARAGRAPHS[0]}</p><ul>{stories}</ul><p>{PARAGRAPHS[1]}</p><ul>{sources}</ul></div></article></body></html>"""
    page = extract_article(html, "https://news.example/linux-6-12/", BodyRules(body=".entry-content"))
    assert clean_body(page.body_html, page.metadata.title).split("\n\n") == [
        PARAGRAPHS[0],
        PARAGRAPHS[1],
        *(f"• The release notes of version {n} name the scheduler" for n in range(3)),
    ]


def test_hover_card_inside_a_paragraph_is_dropped() -> None:
    card = (
        '<span class="rollover-people"><a href="/people/ada">Ada Lovelace</a><span class="rollover-people-block">'
        '<a href="/story-1/">Another story about engines</a> <a href="/story-2/">And one more</a></span></span>'
    )
    html = f"<div><p>The kernel maintainer {card} said the release was calm.</p><p>{PARAGRAPHS[1]}</p></div>"
    assert clean_body(html).split("\n\n") == ["The kernel maintainer Ada Lovelace said the release was calm.", PARAGRAPHS[1]]


def test_excerpts_of_related_posts_with_the_body_class_are_not_chunks_of_the_article() -> None:
    paragraphs = [f"Part {part}: {paragraph}" for part in range(2) for paragraph in PARAGRAPHS]
    excerpt = "An excerpt of another story about desktop Linux that readers might like to read next."
    related = "".join(
        f'<article class="related"><h3>Another story {n}</h3><div class="entry-content"><p>{excerpt} {n}</p>'
        f"<p>{excerpt} Again {n}.</p></div></article>"
        for n in range(2)
    )
    html = (
        '<html><body><div class="wrap"><article class="post"><h1>Linux 6.12</h1><div class="entry-content">'
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + f'</div></article><section class="more">{related}</section></div></body></html>'
    )
    page = extract_article(html, "https://news.example/linux-6-12/")
    assert clean_body(page.body_html, page.metadata.title).split("\n\n") == paragraphs


def test_ruby_annotations_are_not_text() -> None:
    assert clean_body("<p>漢<rt>かん</rt>字<rp>(</rp><rt>じ</rt><rp>)</rp>を読む。</p>") == "漢字を読む。"


def test_body_joined_from_a_document_and_further_containers_is_cleaned_whole() -> None:
    joined = f'<html><body><p>{PARAGRAPHS[0]}</p></body></html>\n<div class="chunk"><p>{PARAGRAPHS[1]}</p><div class="ad">Buy</div></div>'
    assert clean_body(joined) == f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}"


def test_hover_card_inside_a_paragraph_is_removed() -> None:
    html = f'<p>{PARAGRAPHS[0]} <span class="byline-hovercard-content"><a href="/a">More by Jane</a></span>Then it goes on.</p>'
    assert clean_body(html) == f"{PARAGRAPHS[0]} Then it goes on."
