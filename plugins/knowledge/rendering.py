"""Markdown to safe HTML (EXT-10): an article body never carries script into a page.

Two independent layers, both maintained libraries: markdown-it-py renders CommonMark with raw
HTML switched off (a ``<script>`` typed in the text is shown as text, and its link validator
refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs), then nh3 (the Rust
``ammonia`` sanitiser) keeps only the tags and attributes listed here and only ``http``,
``https`` and ``mailto`` URLs — so a renderer bug or plugin cannot reintroduce an event handler
or a script URL. The page's strict CSP (no inline script) is the third wall.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = frozenset({
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Table cells may only be aligned (markdown-it writes ``style="text-align:right"``).
STYLE_PROPERTIES = frozenset({"text-align"})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])


def render(text: str) -> Markup:
    """The article's Markdown as HTML safe to put in a page."""
    raw = _parser().render(text or "")
    clean = nh3.clean(
        raw,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)


def highlighted(snippet: str, start: str, stop: str) -> Markup:
    """A search snippet whose matches the database marked with ``start``/``stop`` characters:
    everything is escaped, then only the markers become ``<mark>`` (the text is raw Markdown,
    which may hold anything a user typed)."""
    escaped = html.escape(snippet, quote=True)
    return Markup(escaped.replace(start, "<mark>").replace(stop, "</mark>"))
