"""Article bodies render safely (EXT-10): Markdown formatting survives, no script gets through.

The payloads are the classic families from the OWASP XSS filter evasion cheat sheet and
Markdown-specific ones (link and image URLs, reference links, autolinks, entities, raw HTML)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from plugins.knowledge.rendering import highlighted, render

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<a href='javascript:alert(1)'>x</a>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<http://example.com/\" onmouseover=\"alert(1)>",
    '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<object data=javascript:alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
]

class Elements(HTMLParser):
    """Every element and attribute a browser would build from the rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def dangers(html: str) -> list[str]:
    """Script elements, event handler attributes and script or data URLs, as a browser reads them."""
    parser = Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag in ("script", "iframe", "object", "embed", "svg", "math", "style", "form", "meta", "base", "body",
                   "details", "link"):
            problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"handler {name} on <{tag}>")
            if name in ("href", "src", "action", "data", "style") and value:
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                if re.search(r"(javascript|vbscript|data):", squeezed):
                    problems.append(f"{name}={value!r} on <{tag}>")
    return problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_gets_through(payload):
    html = str(render(f"Before\n\n{payload}\n\nafter"))
    assert dangers(html) == [], html
    assert "Before" in html and "after" in html


def test_the_checker_sees_what_a_browser_would_run():
    assert dangers('<p><img src=x onerror="alert(1)"><a href=" JaVa\tScript:x">y</a><script></script></p>') == [
        "handler onerror on <img>", "href=' JaVa\\tScript:x' on <a>", "element <script>",
    ]


def test_markdown_formatting_is_kept():
    html = str(render("# Title\n\n**bold** *it* ~~gone~~ `code`\n\n- one\n- two\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n"))
    for tag in ("<h1>Title</h1>", "<strong>bold</strong>", "<em>it</em>", "<s>gone</s>", "<code>code</code>",
                "<li>one</li>", '<th style="text-align:right">a</th>'):
        assert tag in html


def test_safe_links_and_images_stay_and_links_get_a_safe_rel():
    html = str(render("[site](https://example.com/a?b=1) [mail](mailto:help@example.com) ![logo](/static/logo.png)"))
    assert '<a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow">site</a>' in html
    assert 'href="mailto:help@example.com"' in html
    assert '<img src="/static/logo.png" alt="logo">' in html


def test_raw_html_is_shown_as_text():
    assert "&lt;b&gt;not bold&lt;/b&gt;" in str(render("<b>not bold</b>"))


def test_highlighted_escapes_everything_but_the_markers():
    out = str(highlighted('\x02modem\x03 <script>alert("x")</script> & <img onerror=1>', "\x02", "\x03"))
    assert out == "<mark>modem</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img onerror=1&gt;"
