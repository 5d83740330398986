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

BOILERPLATE_CLASSES = frozenset(
    {
        # share buttons
        "sharedaddy", "sd-sharing-enabled", "share-buttons", "social-share", "social-sharing", "sharing",
        "share-this", "addtoany_share_save_container", "a2a_kit", "shareaholic-canvas",
        "heateor_sss_sharing_container", "ss-inline-share-wrapper", "wp-block-social-links",
        # related / recent / popular lists
        "jp-relatedposts", "related-posts", "yarpp-related", "yarpp", "crp_related", "rp4wp-related-posts",
        "related-articles", "recent-posts", "wp-block-latest-posts", "post-navigation", "nav-links",
        # newsletter, subscription, donation boxes
        "newsletter", "newsletter-box", "newsletter-signup", "mc4wp-form", "subscribe-box",
        "jetpack_subscription_widget", "wp-block-jetpack-subscriptions", "donation-box",
        # author boxes, comments
        "author-box", "about-author", "author-bio", "saboxplugin-wrap", "comments-area", "comment-respond",
        "comment-list",
        # ads
        "advertisement", "adsbygoogle", "ad-container", "ad-slot", "ai-viewport-1", "ezoic-ad", "ad", "ads",
    }
)
BOILERPLATE_IDS = frozenset({"jp-relatedposts", "comments", "respond"})
BOILERPLATE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "button", "svg", "nav", "figcaption", "input", "select", "textarea"}
)


def is_boilerplate_element(tag: str, classes: str | Iterable[str] | None, element_id: object) -> bool:
    """Whether an element with this tag, class attribute and id is page furniture, not article."""
    if tag in BOILERPLATE_TAGS or (isinstance(element_id, str) and element_id in BOILERPLATE_IDS):
        return True
    if not classes:
        return False
    names = classes.split() if isinstance(classes, str) else classes
    return not BOILERPLATE_CLASSES.isdisjoint(names)


NON_BODY_TAGS = frozenset({"aside", "footer", "header", "img", "picture", "video", "audio"})
"""Dropped from extracted bodies: captions, credits and media, and page regions."""

BOILERPLATE_TEXT = re.compile(
    r"^(share (this|on)|share:|related( articles| posts| stories)?:?$|you may also like|"
    r"read (more|also|next)\b|also read\b|recommended( for you)?:?$|(recent|popular|latest) (posts|articles)|"
    r"advertisement$|sponsored\b|subscribe (to|for)\b|sign up (for|to)\b|join \d[\d,.]* (readers|subscribers)|"
    r"follow us (on|at)\b|support (us|our)\b|leave a (reply|comment)|\d+ comments?$|"
    r"(image|photo|picture) (credit|source|courtesy)\b|credit:|copyright\b|©|all rights reserved|"
    r"get (the latest|our) .{0,60}\b(inbox|newsletters?)\b|tags:?$|"
    r"(related|recommended|see also|don['’]t miss|do not miss|you (may|might) (also )?like|trending|more|watch)"
    r"( \w+){0,2} ?:)",
    re.IGNORECASE,
)
"""A paragraph of an extracted body that starts with (or is) one of these is not article."""

END_OF_ARTICLE = re.compile(
    r"^(related( articles| posts| stories| content| reading)?|you (may|might) (also )?(like|enjoy)|"
    r"more (stories|articles|news) (from|like|on)\b.*|more from\b.*|recommended( for you| articles| stories)?|"
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
