"""HTML pages from real sites: the article's own heading and publication date, its main text.

A page is read as lines in reading order with the site's chrome left out (navigation,
breadcrumbs, share buttons, related-article lists, footers). The article heading is the
heading just before the body text (the one the ``<title>`` repeats, when it does); the
date comes from the page metadata, else from the info line around that heading, never
from the body. trafilatura gives the main text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from ..errors import ReadError
from ..models import Document
from .dates import info_line_date, labelled_date, parse_date
from .decode import decode

_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# Declared multi-byte charsets, widened to the codec that reads every page of the family.
_MULTIBYTE = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "big5": "big5hkscs"}
_MULTIBYTE |= {"big5hkscs": "big5hkscs", "euc-kr": "euc-kr", "shift_jis": "shift_jis", "euc-jp": "euc-jp"}

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "nav", "footer", "aside", "form"}
_SKIP_TAGS |= {"select", "button", "iframe", "head", "object", "canvas", "map"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "ul", "ol", "li", "dl", "dt", "dd"}
_BLOCK_TAGS |= {"table", "tr", "td", "th", "blockquote", "pre", "br", "hr", "center", "figure", "figcaption"}
_BLOCK_TAGS |= {"h1", "h2", "h3", "h4", "h5", "h6", "address", "body", "html"}
# Class and id words of the parts of a page that are the site's, not the article's.
_CHROME = {"nav", "navbar", "navigation", "menu", "menubar", "breadcrumb", "breadcrumbs", "crumb", "crumbs"}
_CHROME |= {"bread", "position", "location", "footer", "foot", "share", "sharing", "social"}
_CHROME |= {"bdsharebuttonbox", "sharedaddy"}
_CHROME |= {"related", "relate", "recommend", "recommended", "sidebar", "aside", "logo", "copyright"}
_CHROME |= {"banner", "search", "toolbar", "pagination", "pager", "comment", "comments", "xgxw", "tuijian"}
_CHROME |= {"topbar", "skip", "cookie", "cookies", "popup", "modal", "qrcode", "ewm", "print", "prevnext"}
_HEADER = {"header", "head", "top", "masthead", "site"}  # chrome unless the article's own header
_ARTICLE = {"article", "post", "entry", "content", "news", "detail", "main", "story", "title", "con"}
_TITLE_WORDS = {"title", "headline", "tit", "biaoti", "bt", "heading"}
_NOT_TITLE_WORDS = {"sub", "subtitle", "fbt", "info", "time", "date", "source", "meta", "author", "list"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CLASS_TITLE_LEVEL = 1.5  # <div class="title">: a heading, ranked between <h1> and <h2>
_SPLIT_WORDS = re.compile(r"[\s_\-]+")
_TITLE_PARTS = re.compile(r"\s+[|｜–—-]\s+|\s*[|｜_]\s*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_META_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "publication_date",
    "firstpublishedtime",
    "citation_publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "parsely-pub-date",
    "sailthru.date",
)
_META_TITLE_KEYS = ("og:title", "twitter:title", "articletitle", "dc.title", "headline")
_SITE_KEYS = ("og:site_name", "application-name", "sitename", "site_name")


@dataclass(frozen=True)
class Line:
    """One line of the page as a reader sees it, with the heading level it sits in (0: none)."""

    text: str
    level: float
    element: Any  # the block the line belongs to


def _normal(text: str) -> str:
    return " ".join(text.split())


def _key(text: str) -> str:
    """Text for comparing: full-width forms folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _words(element: Any) -> set[str]:
    value = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return {w for w in _SPLIT_WORDS.split(value) if w}


def is_chrome(element: Any) -> bool:
    """True for the site's parts of a page: menus, breadcrumbs, footers, share and related blocks."""
    if element.tag in _SKIP_TAGS:
        return True
    words = _words(element)
    if words & _CHROME:
        return True
    header = element.tag == "header" or bool(words & _HEADER)
    return header and not words & _ARTICLE and not _inside_article(element)


def _inside_article(element: Any) -> bool:
    return any(a.tag in ("article", "main") for a in element.iterancestors())


def _heading_level(element: Any) -> float:
    if element.tag in _HEADINGS:
        return _HEADINGS[element.tag]
    words = _words(element)
    if (words & _TITLE_WORDS and not words & _NOT_TITLE_WORDS) or element.get("itemprop") == "headline":
        return _CLASS_TITLE_LEVEL
    return 0


def _home_link(element: Any) -> bool:
    """A heading wrapped in a link to the site's front page is the site's name (a logo)."""
    for a in element.iterancestors("a"):
        href = (a.get("href") or "").strip()
        if href in ("/", "./", "index.html", "/index.html", "../") or re.fullmatch(r"https?://[^/]+/?", href):
            return True
    return False


def page_lines(root: Any) -> list[Line]:
    """The page's visible lines in reading order, chrome left out."""
    lines: list[Line] = []
    buffer: list[str] = []
    levels: list[float] = [0]
    blocks: list[Any] = [root]

    def flush() -> None:
        text = _normal("".join(buffer))
        buffer.clear()
        if text:
            lines.append(Line(text, levels[-1], blocks[-1]))

    def walk(element: Any) -> None:
        if not isinstance(element.tag, str) or is_chrome(element):
            return
        is_block = element.tag in _BLOCK_TAGS
        level = _heading_level(element)
        if level and _home_link(element):
            return
        if is_block or level:
            flush()
            levels.append(level or levels[-1])
            blocks.append(element)
        if element.text:
            buffer.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                buffer.append(child.tail)
        if is_block or level:
            flush()
            levels.pop()
            blocks.pop()

    walk(root)
    return lines


def _is_long(text: str) -> bool:
    return len(_CJK.findall(text)) >= 25 or len(text) >= 100


def _is_info(text: str) -> bool:
    return bool(info_line_date(text)) or (len(re.findall(r"[:：]", text)) >= 2 and len(text) < 160)


def _substantial(text: str) -> bool:
    return len(_CJK.findall(text)) >= 6 or len(text.split()) >= 3


def _body_start(lines: list[Line], first_paragraph: str) -> int:
    """Index of the first line of body text: trafilatura's first paragraph, or the first long line."""
    probe = _normal(first_paragraph)[:20]
    for i, line in enumerate(lines):
        if line.level or _is_info(line.text):
            continue
        if _is_long(line.text) or (len(probe) >= 4 and line.text.startswith(probe)):
            return i
    return len(lines)


def _matches_title(heading: str, page_title: str) -> bool:
    """True when the <title> (or og:title) is this heading, possibly followed by the site's name."""
    heading, page_title = _key(heading), _key(page_title)
    if len(heading) < 4 or not page_title:
        return False
    if page_title == heading or (heading.startswith(page_title) and len(page_title) >= 0.6 * len(heading)):
        return True
    rest = page_title[len(heading) :] if page_title.startswith(heading) else None
    return rest is not None and bool(re.match(r"\s*[|｜_\-–—:：·]", rest))


def _shared_depth(a: Any, b: Any) -> int:
    """How deep the closest element holding both ``a`` and ``b`` sits in the page."""
    ancestors = [a, *a.iterancestors()]  # lxml hands out new proxies: compare with ==, not id()
    return next((len(ancestors) - k for k, e in enumerate(ancestors) if e in (b, *b.iterancestors())), 0)


def _choose_heading(lines: list[Line], body: int, page_titles: list[str]) -> int | None:
    """Index of the article heading among the lines before the body, or None.

    The heading the <title> repeats wins; else the one sharing the body's closest container
    (the article's, not the site's), the most prominent there, the nearest the body.
    """
    headings = [i for i in range(body) if lines[i].level and not _is_info(lines[i].text)]
    for page_title in page_titles:
        matching = [i for i in headings if _matches_title(lines[i].text, page_title)]
        if matching:
            return matching[-1]
    if not headings:
        return None
    anchor = lines[body].element if body < len(lines) else lines[headings[-1]].element
    depth = {i: _shared_depth(lines[i].element, anchor) for i in headings}
    closest = [i for i in headings if depth[i] == max(depth.values())]
    substantial = [i for i in closest if _substantial(lines[i].text)] or closest
    best = min(lines[i].level for i in substantial)
    return [i for i in substantial if lines[i].level == best][-1]


def _meta(root: Any) -> dict[str, str]:
    """<meta> name/property/itemprop -> content (lower-case keys; the first value wins)."""
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        content = (element.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    return found


def _json_ld(root: Any) -> Iterator[dict[str, Any]]:
    """Every object in the page's JSON-LD blocks (graphs and lists flattened)."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _structured_date(root: Any, meta: dict[str, str]) -> str:
    """Publication date from metadata, JSON-LD or a datePublished / <time pubdate> mark in the article."""
    for key in _META_DATE_KEYS:
        if key in meta and (date := parse_date(meta[key])):
            return date
    for item in _json_ld(root):
        value = item.get("datePublished")
        if isinstance(value, str) and (date := parse_date(value)):
            return date
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        marked = element.get("itemprop") == "datePublished" or (
            element.tag == "time" and element.get("pubdate") is not None
        )
        if marked and not any(is_chrome(a) for a in (element, *element.iterancestors())):
            value = element.get("datetime") or element.get("content") or element.text_content()
            if date := parse_date(value or ""):
                return date
    return ""


def _page_titles(root: Any, meta: dict[str, str]) -> tuple[list[str], str]:
    """(titles the page gives outside its body, best first; the <title> text)."""
    head_title = ""
    titles = root.xpath("//title")
    if titles:
        head_title = _normal(titles[0].text_content())
    found = [meta[k] for k in _META_TITLE_KEYS if meta.get(k)]
    found += [str(i["headline"]) for i in _json_ld(root) if isinstance(i.get("headline"), str)]
    return [_normal(t) for t in (head_title, *found) if t.strip()], head_title


def strip_site_suffix(title: str, site_names: set[str]) -> str:
    """A <title> without the site and section names glued to it ("…_集团要闻_中国节能", "… | Newsroom")."""
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    parts = [p for p in parts if _key(p) not in site_names] or parts
    return max(parts, key=len) if parts else ""


def _info_date(lines: list[Line], heading: int | None, body: int) -> str:
    """The date on the info line around the heading: labelled first, then any short info line."""
    start = max((heading if heading is not None else body) - 2, 0)
    zone = [line.text for line in lines[start:body] if not _is_long(line.text)]
    if heading is not None:  # the lines after the heading first, then the two before it
        after = [line.text for line in lines[heading + 1 : body]]
        zone = after + [t for t in zone if t not in after]
    for read in (labelled_date, info_line_date):
        for text in zone:
            if date := read(text):
                return date
    return ""


def _decode_html(name: str, data: bytes) -> tuple[str, str]:
    """Bytes to text. A declared charset is checked, not trusted: pages often declare one and use another."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data, name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(data[:4096])
    codec = _MULTIBYTE.get(declared.group(1).decode("ascii").lower(), "") if declared else ""
    if codec:  # a multi-byte codec that decodes every byte is very likely right; one-byte ones always decode
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            pass
    return decode(data, name)


def _main_text(markup: str) -> str:
    for precision in (True, False):  # short pages can fall below the precise setting's bar
        doc = trafilatura.bare_extraction(
            markup,
            with_metadata=False,
            include_comments=False,
            include_tables=False,
            favor_precision=precision,
            favor_recall=not precision,
        )
        text: str = getattr(doc, "text", None) or ""
        if text.strip():
            return text
    return ""


def read(name: str, data: bytes) -> Document:
    """Title, publication date and main text of a saved or fetched web page."""
    markup, encoding = _decode_html(name, data)
    if "<" not in markup:
        raise ReadError(name, "has an .html name but contains no HTML markup")
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)  # lxml refuses an encoding declaration in a str
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(name, f"is not a readable HTML page: {exc}") from None
    text = _main_text(markup)
    if not text.strip():
        raise ReadError(name, "no main text found in the page")
    paragraphs = [_normal(p) for p in text.splitlines() if p.strip()]
    lines = page_lines(root)
    headings = {line.text for line in lines if line.level}
    first = next((p for p in paragraphs if p not in headings and not _is_info(p)), paragraphs[0])
    body = _body_start(lines, first)
    meta = _meta(root)
    page_titles, head_title = _page_titles(root, meta)
    heading = _choose_heading(lines, body, page_titles)
    if heading is not None:
        title = lines[heading].text
    else:
        site_names = {_key(meta[k]) for k in _SITE_KEYS if meta.get(k)}
        title = next((t for t in page_titles[1:]), "") or strip_site_suffix(head_title, site_names)
    date = _structured_date(root, meta) or _info_date(lines, heading, body)
    # The heading and the info line are the release's title and date, not its first paragraphs.
    header = {_normal(title)} | {line.text for line in lines[:body]}
    while paragraphs and (
        paragraphs[0] in header or (_is_info(paragraphs[0]) and not _is_long(paragraphs[0]))
    ):
        paragraphs.pop(0)
    if not paragraphs:
        raise ReadError(name, "no main text found in the page")
    return Document(name, "html", "\n\n".join(paragraphs), "", title, date, encoding)
