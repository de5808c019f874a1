"""Escaping for text that comes from the directory: it is untrusted, in Markdown and in HTML.

Every value a commissioner types (names, descriptions, notes, referral routes) goes through
:func:`md_text` before it reaches a Markdown page, and through :func:`html_text` before it reaches
raw HTML or a page title. Links go through :func:`safe_link`, which keeps only ``http(s)``,
``mailto`` and ``tel`` addresses.

>>> print(md_text("<script>alert(1)</script> *bold*"))
&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\*bold\\*
>>> print(md_text("[x](javascript:alert(1))"))
\\[x\\]\\(javascript:alert\\(1\\)\\)
>>> safe_link("javascript:alert(1)") is None
True
>>> md_link("Site", "https://example.org/a b")
'[Site](https://example.org/a%20b)'
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

__all__ = ["html_text", "md_cell", "md_link", "md_text", "safe_link"]

# Characters that mean something inline in Python-Markdown (and its usual extensions), escaped
# with a backslash. "|" is written as an entity so that it is safe whether or not the tables
# extension is loaded; "&", "<" and ">" become HTML entities.
_BACKSLASHED = "\\`*_{}[]()!"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;"}
_MD_TABLE = str.maketrans({**{ch: "\\" + ch for ch in _BACKSLASHED}, **_ENTITIES})
# Characters that start a block (heading, list, quote, rule) when they open a line.
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])")
_SPACE = re.compile(r"\s+")
# Control characters never belong in directory text; \x02 and \x03 would also forge
# Python-Markdown's placeholders for stashed HTML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Everything else in a URL is percent-encoded, so a link destination cannot break out of ( ).
_URL_SAFE = "/:?#@!$&*+,;=%~-._"


def md_text(text: str) -> str:
    """Escape untrusted text for inline Markdown: no markup, no HTML, one line.

    Newlines become spaces, so the text cannot start a block of its own; control characters
    are dropped.

    >>> md_text("Women's Aid & Refuge")
    "Women's Aid &amp; Refuge"
    >>> md_text("# not a heading")
    '\\\\# not a heading'
    >>> md_text("1. not a list")
    '1\\\\. not a list'
    >>> md_text("a | b")
    'a &#124; b'
    """
    return _LINE_START.sub(_escape_start, _flat(text).translate(_MD_TABLE), count=1)


def _flat(text: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def _escape_start(match: re.Match[str]) -> str:
    lead, token = match.group(1), match.group(2)
    if token == "=":  # a setext underline; "=" has no backslash escape
        return lead + "&#61;"
    return lead + token[:-1] + "\\" + token[-1]


def md_cell(text: str) -> str:
    """Escape untrusted text for a Markdown table cell (same as :func:`md_text`).

    >>> md_cell("x|y")
    'x&#124;y'
    """
    return md_text(text)


def html_text(text: str) -> str:
    """Escape untrusted text for HTML content or a double-quoted attribute, on one line.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    flat = _flat(text)
    return (
        flat.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def safe_link(url: str) -> str | None:
    """The address made safe for a Markdown or HTML link, or None when it is not allowed.

    Only ``http``, ``https`` (with a host), ``mailto`` and ``tel`` are allowed; characters that
    could end a link destination or an attribute are percent-encoded.

    >>> safe_link("https://www.nhs.uk/live-well/alcohol-advice/")
    'https://www.nhs.uk/live-well/alcohol-advice/'
    >>> safe_link("tel:01733 560031")
    'tel:01733%20560031'
    >>> safe_link("https://example.org/x)(y\\"z")
    'https://example.org/x%29%28y%22z'
    >>> [safe_link(u) for u in ("javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "//x")]
    [None, None, None, None]
    """
    candidate = url.strip()
    if not candidate or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SAFE_SCHEMES:
        return None
    if scheme in ("http", "https") and not parts.netloc:
        return None
    rest = candidate[len(parts.scheme) + 1 :]
    return scheme + ":" + quote(rest, safe=_URL_SAFE)


def md_link(text: str, url: str | None) -> str:
    """A Markdown link with escaped text, or the escaped text alone when the address is unsafe.

    >>> md_link("Click", "javascript:alert(1)")
    'Click'
    >>> md_link("Mail [us]", "mailto:help@example.org")
    '[Mail \\\\[us\\\\]](mailto:help@example.org)'
    """
    label = md_text(text)
    target = safe_link(url) if url is not None else None
    return f"[{label}]({target})" if target else label
