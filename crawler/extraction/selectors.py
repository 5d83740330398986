"""Every class, id, tag and text pattern that marks page parts as not article, in one place.

The same sets serve the lxml pre-clean of whole pages (before the generic
extractor runs) and the BeautifulSoup clean of extracted bodies, so a box that
a site puts inside its content container is removed either way. They are
plain sets rather than CSS selectors so that one pass over the elements
checks them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

BOILERPLATE_CLASSES = frozenset(
    {
        # share buttons
        "sharedaddy",
        "sd-sharing-enabled",
        "share-buttons",
        "social-share",
        "social-sharing",
        "sharing",
        "share-this",
        "addtoany_share_save_container",
        "a2a_kit",
        "shareaholic-canvas",
        "heateor_sss_sharing_container",
        "ss-inline-share-wrapper",
        "wp-block-social-links",
        # related / recent / popular lists
        "jp-relatedposts",
        "related-posts",
        "yarpp-related",
        "yarpp",
        "crp_related",
        "rp4wp-related-posts",
        "related-articles",
        "recent-posts",
        "wp-block-latest-posts",
        "post-navigation",
        "nav-links",
        # newsletter, subscription, donation boxes
        "newsletter",
        "newsletter-box",
        "newsletter-signup",
        "mc4wp-form",
        "subscribe-box",
        "jetpack_subscription_widget",
        "wp-block-jetpack-subscriptions",
        "donation-box",
        # author boxes, comments
        "author-box",
        "about-author",
        "author-bio",
        "saboxplugin-wrap",
        "comments-area",
        "comment-respond",
        "comment-list",
        # ads
        "advertisement",
        "adsbygoogle",
        "ad-container",
        "ad-slot",
        "ai-viewport-1",
        "ezoic-ad",
        "ad",
        "ads",
    }
)
BOILERPLATE_IDS = frozenset({"jp-relatedposts", "comments", "respond"})
BOILERPLATE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "button", "svg", "nav", "figcaption", "input", "select", "textarea"}
)


MAX_CLASS_NAME_CHARS = 100
POPUP_WORDS = ("rollover", "hovercard", "popover", "tooltip")
"""Every class name :data:`POPUP_CLASS` matches holds one of these words: class attributes without any are not searched."""
POPUP_CLASS = re.compile(rf"^(hovercard|popover|tooltip-content)$|({'|'.join(POPUP_WORDS)})[\w-]*-(block|content|body|card|box)$")
"""Hover cards and pop-ups hidden inside paragraphs (a person's card with links to other stories)."""
CLASS_VERDICTS = 4096
"""How many class attributes :func:`is_boilerplate_class` remembers its verdict on."""


@lru_cache(maxsize=CLASS_VERDICTS)
def is_boilerplate_class(classes: str) -> bool:
    """Whether a class attribute (class names separated by white space) marks page furniture.

    Remembered: a page repeats its class attributes (every menu item, every teaser alike), and a site's pages
    repeat each other's, so most are judged once.
    """
    names = classes.split()
    if not BOILERPLATE_CLASSES.isdisjoint(names):
        return True
    return any(word in classes for word in POPUP_WORDS) and any(len(name) <= MAX_CLASS_NAME_CHARS and POPUP_CLASS.search(name) for name in names)


def is_boilerplate_markup(tag: str, classes: str | None, element_id: str | None) -> bool:
    """Whether an element with this tag, class attribute and id, as lxml reads them (strings, or None where absent),
    is page furniture, not article."""
    return tag in BOILERPLATE_TAGS or element_id in BOILERPLATE_IDS or (classes is not None and is_boilerplate_class(classes))


def is_boilerplate_element(tag: str, classes: str | Iterable[str] | None, element_id: object) -> bool:
    """Whether an element with this tag, class attribute (or its class names, as BeautifulSoup reads them) and id is page
    furniture, not article."""
    return is_boilerplate_markup(
        tag, classes if classes is None or isinstance(classes, str) else " ".join(classes), element_id if isinstance(element_id, str) else None
    )


NAVIGATION_TAG = "nav"
BREADCRUMB = re.compile("crumb", re.IGNORECASE)
"""The class or id of a breadcrumb trail ("breadcrumb", "crumbs", "article-header__crumb")."""


NON_BODY_TAGS = frozenset({"aside", "footer", "header", "img", "picture", "video", "audio"})
"""Dropped from extracted bodies: captions, credits and media, and page regions."""
PAGE_ONLY_TAGS = frozenset({"head", "footer", "picture"})
"""Parts of a page that never hold its article text, dropped with the boilerplate before the generic extractor runs: the
head (read by then for the metadata), footers, responsive images. trafilatura deletes them too, but only after copying
them and running its queries over them; a fifth of the elements of a page are in them."""

READ_ALSO = (
    r"(lesen sie|lies) (auch|mehr)\b|auch interessant$|mehr zum thema\b|zum artikel:|weiterführende links$|"
    r"(à )?lire aussi\b|leggi anche\b|lee también\b|leia também\b|les også\b|læs også\b|läs (också|även)\b|"
    r"lees ook\b|czytaj (więcej|też|także)\b|funda olunye udaba\b"
)
"""How pages in other languages announce a link to another story ("Read also: ..."), in German, French, Italian, Spanish,
Portuguese, Norwegian, Danish, Swedish, Dutch, Polish and Zulu."""

BOILERPLATE_TEXT = re.compile(
    r"^(share (this|on)|share:|related( articles| posts| stories)?:?$|you may also like|"
    rf"read (more|also|next)\b|also read\b|see (more|also)\s*(:|$)|{READ_ALSO}|recommended( for you)?:?$|(recent|popular|latest) (posts|articles)|"
    r"(advertisement|anzeige|werbung|publicidad|publicité|passer la publicité|pubblicità|advertentie|annons|annonse|reklame)$|"
    r"sponsored\b|subscribe$|subscribe (to|for)\b|sign up (for|to)\b|join \d[\d,.]* (readers|subscribers)|"
    r"most (read|popular|viewed|shared)( (in|on|from)\b.*| (stories|articles|posts|news|now|today|this week))?$|"
    r"((found|spotted|see) an? (error|typo|mistake)|fehler gefunden) ?\?|(was this|did you (like|enjoy) this) (article|story|post)\b|"
    r"how would you rate this\b|(wie )?hat ihnen (dieser|der) (artikel|beitrag) gefallen|(average rating|durchschnittliche bewertung)\b|"
    r"((external|embedded) content|(externer|empfohlener redaktioneller) inhalt|contenido externo|contenu externe|contenuto esterno)$|"
    r"ein klick für den datenschutz\b|link zum [\w-]+-inhalt$|this (content|embed) is (currently )?(blocked|unavailable)\b|"
    r"follow us (on|at)\b|support (us|our)\b|leave a (reply|comment)|(\d+ )?comments?$|tell us what you think|"
    r"(image|photo|picture) (credit|source|courtesy)\b|credit:|copyright\b|©|all rights reserved|"
    r"\(?(source|quelle|kilde|källa|fuente|fonte|image|photo|foto|bild)s?: ?[^\s:][^:]{0,50}\)?$|"
    r"mit agenturmaterial\.?$|mit material (von|der) |mit (dpa|afp|ap|reuters|apa|sda|kna|epd)\.?$|"
    r"get (the latest|our) .{0,60}\b(inbox|newsletters?)\b|tags:?$|[\w'’ ]{0,40} newsletter$|"
    r"(reading time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit|lesedauer|tempo di lettura|"
    r"leestijd|lesetid|läsningstid|czas czytania)\s*:?\s*\d|\d+ min(ute)?s? read$|"
    r"\(?(additional )?(reporting|writing|editing) by (?-i:[A-Z])|have a (news )?tip\b|"
    r"(follow|email|e-mail|reach|contact) (him|her|them|me|us|the (authors?|reporters?|writers?))\b|"
    r"(follow|email|e-mail|reach|contact) (?-i:[A-Z])[\w'’-]+ (?-i:[A-Z])[\w'’-]+ (at|on|via)\b|follow\b.{0,40}\bcoverage\b|"
    r"(related|recommended|see also|don['’]t miss|do not miss|you (may|might) (also )?like|trending|more|watch)"
    r"( \w+){0,2} ?:|(don['’]t miss|do not miss|trending now)$)",
    re.IGNORECASE,
)
"""A paragraph of an extracted body that starts with (or is) one of these is not article."""

END_OF_ARTICLE = re.compile(
    r"^(related( articles| posts| stories| content| reading)?|you (may|might) (also )?(like|enjoy)|"
    r"more (stories|articles|news) (from|like|on)\b.*|more( [\w'’]+){0,3} (stories|reads)|more from\b.*|"
    r"recommended( for you| articles| stories)?|"
    r"read (more|next|also)|also read|tags|filed under|trending( now)?|popular( now| posts| stories)?|"
    r"leia (também|mais)|veja (também|mais)|você (também )?pode gostar|artículos relacionados|"
    r"te puede interesar|también te puede interesar|lee también|à lire aussi|sur le même sujet|"
    r"lire aussi|das könnte sie auch interessieren|mehr zum thema|weitere artikel|leggi anche|"
    r"articoli correlati)[\s.:…!]*$",
    re.IGNORECASE,
)
"""A short block in the second half of a body that opens the page's tail: it and all after it go."""

BOILERPLATE_TEXT_MAX_WORDS = 25
"""Only short paragraphs are judged by BOILERPLATE_TEXT: a long one that starts so is prose."""
BOILERPLATE_TEXT_MAX_CHARS = 400
"""Nor is a paragraph this long judged by its words, whatever its word count."""
EDGE_PARAGRAPHS = 3
"""Date lines and "Posted by … Category: …" lines are looked for among this many first and last paragraphs."""

PAYWALL_NOTICE = re.compile(
    r"\b(the rest of (this|the) (article|story)|(continue|keep) reading (this|the full|with)\b|to (continue|keep) reading\b|"
    r"this (article|content|story) is (only )?(available|reserved|exclusive)|"
    r"(available|reserved|exclusive) (only )?(to|for) (our )?(paying )?(subscribers|members)|"
    r"already (a )?(subscriber|member)\?|you have (reached|read|used) (your|all)\b.{0,30}\b(articles?|limit)|"
    r"subscribe (now )?to (read|continue|unlock)|"
    r"il vous reste .{0,40}à lire|réservée? aux abonnés|weiterlesen mit\b|(artikel|inhalt) ist (nur )?für abonnenten|"
    r"exclusivo para suscriptores|solo para suscriptores|riservato agli abbonati)",
    re.IGNORECASE,
)
"""A short paragraph that says the rest of the article is for subscribers: the paywall's notice, never the article."""
COOKIE_NOTICE = re.compile(
    r"\b((we|this (web)?site) uses? cookies|(we|wir) (use|verwenden|nutzen) cookies|accept (all )?cookies|"
    r"diese (web)?seite verwendet cookies|utilizamos cookies|nous utilisons des cookies|utilizziamo (i )?cookie)",
    re.IGNORECASE,
)
"""A short paragraph of a cookie banner."""
REPRINT_NOTICE = re.compile(
    r"^(this (article|story|post|piece) (was )?(originally|first) (published|appeared)|(originally|first) (published|appeared) (in|on|by|at)\b|"
    r"(this (article|story) is )?(republished|reprinted) (with permission )?(from|by)\b|"
    r"(dieser (artikel|beitrag) )?(erschien|erstmals erschienen) (zuerst )?(in|bei|auf)\b)",
    re.IGNORECASE,
)
"""A reprint's notice ("Originally published on ..."): part of a reprinted article, but no article on its own."""

NEWSLETTER_PITCH = re.compile(r"\b(sign up|subscribe)\b.*\bnewsletters?\b|\bnewsletters?\b.*\b(sign up|subscribe)\b", re.IGNORECASE)
"""A short paragraph that asks the reader to sign up for a newsletter, wherever the words fall."""

_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|"
    "segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira|sábado|domingo|"
    "lunes|martes|miércoles|jueves|viernes|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lunedì|martedì|mercoledì|giovedì|venerdì|sabato"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|"
    "enero|febrero|marzo|mayo|junio|julio|septiembre|octubre|noviembre|diciembre|"
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "januar|februar|märz|juni|juli|oktober|dezember|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
)
DATE_LABELS = (
    "updated|last updated|published|posted|publicado|atualizado|actualizado|publié|mis à jour|veröffentlicht|aktualisiert|pubblicato|aggiornato"
)
"""The words that introduce an article's dates, in the languages of the sets: a regular-expression alternation."""
_DATELINE_LABELS = "by|" + DATE_LABELS
_DATELINE_WORDS = "on|at|de|às|as|a|um|le|à|el|am|pm|p|m|utc|gmt|est|edt|pst|pdt|bst|cet|cest|ist|em|mis|jour|il|" + _DATELINE_LABELS
DATELINE_START = re.compile(
    rf"^(\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d\d-\d\d|\d{{1,2}}(st|nd|rd|th)?\.? ({_MONTHS})\b|"
    rf"\(?({_WEEKDAYS}|{_MONTHS}|{_DATELINE_LABELS})\b)",
    re.IGNORECASE,
)
"""A date line opens with a date, a weekday, a month or a label such as "By" or "Updated"."""
DATELINE_DATE = re.compile(r"\b(1[89]|20)\d\d\b|\b\d{1,2}[:h]\d\d\b", re.IGNORECASE)
"""A year or a time of day: a date line has one, a line of a schedule ("10 de março – Interlagos") may not."""
DATELINE_WORD = re.compile(rf"^(\d+|{_WEEKDAYS}|{_MONTHS}|{_DATELINE_WORDS}|[a-z])$", re.IGNORECASE)
DATELINE_MAX_WORDS = 15
DATELINE_MAX_OTHER_WORDS = 4
"""A dateline may hold a few words that are no date words: the author's name, a time zone."""

_NAME = r"(?-i:[A-ZÀ-Ý])[\w'’.-]+"
BYLINE = re.compile(rf"^(by|von|par|por|di|av|door|af) {_NAME}( {_NAME}){{0,3}}(, {_NAME}( {_NAME})?)?$", re.IGNORECASE)
"""A byline on a line of its own ("By Jane Doe", "von Nina Magoley, Berlin", "Par Les Echos"): up to four names after the
word for "by" in English, German, French, Spanish, Italian, Scandinavian languages or Dutch, and perhaps a place."""

POST_META_LABELS = re.compile(
    r"\b((posted|published|written) by|publicado por|publié par|veröffentlicht von|"
    r"(categor(y|ia|ie|ies|ías)|filed under|tags|etiquetas)\s*:)",
    re.IGNORECASE,
)
"""Labels of the "Posted by X in Category, Tags: ..." line that blog themes print with a post."""


def is_notice(paragraph: str, reprints: bool = False) -> bool:
    """A short paragraph that is a paywall's or a cookie banner's notice (with ``reprints``, a reprint's notice too)."""
    if len(paragraph) > BOILERPLATE_TEXT_MAX_CHARS:
        return False
    words = paragraph.split()
    if not 0 < len(words) <= BOILERPLATE_TEXT_MAX_WORDS:
        return False
    text = " ".join(words)
    return bool(PAYWALL_NOTICE.search(text) or COOKIE_NOTICE.search(text) or (reprints and REPRINT_NOTICE.match(text)))
