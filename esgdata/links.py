"""What a source links to: the articles of a news list page, an RSS/Atom feed or a sitemap.

Parsing only (the fetcher fetches): feedparser reads feeds, lxml reads sitemaps (no
network, no entities), and a list page's article links are the links outside the site's
chrome (menus, breadcrumbs, footers, share and related blocks) with a headline for text.
courlan normalises URLs and tells one site from another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import courlan
import feedparser
import lxml.etree
import lxml.html

from .readers.dates import info_line_date, parse_date
from .readers.decode import decode
from .readers.html import is_chrome

_NEXT_TEXT = {
    "下一页",
    "下页",
    "下一頁",
    "后页",
    "後頁",
    "next",
    "next page",
    "next »",
    "next ›",
    "»",
    "›",
    ">",
}
_NEXT_TEXT |= {"older posts", "older entries", "older", "more news", "load more"}
# TRS-style list pages write their pager in script: createPageHTML(pages, current, "index", "html").
_SCRIPT_PAGER = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True)
class Link:
    """An article a source points to, with the date the source gives for it ("" if none)."""

    url: str
    title: str = ""
    published: str = ""


@dataclass
class Listing:
    """One fetched source page read: what kind it is, its article links and where it continues."""

    kind: str  # feed, sitemap or list
    links: list[Link] = field(default_factory=list)
    more: list[str] = field(default_factory=list)  # next list pages, or child sitemaps


def normalise(url: str, base: str = "") -> str:
    """An absolute http(s) URL without its fragment, in courlan's normal form; "" if it is none."""
    url = urldefrag(urljoin(base, url.strip()))[0]
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        return ""
    return str(courlan.normalize_url(url))


def same_site(url: str, reference: str) -> bool:
    """True when ``url`` belongs to the site of ``reference`` (news.x.cn and www.x.cn do)."""
    return not courlan.is_external(url, reference)


def kind_of(data: bytes, content_type: str) -> str:
    """feed, sitemap or list: what the bytes of a source page are."""
    head = data[:2048].lstrip().lower()
    content_type = content_type.lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf")) or any(
        t in content_type for t in ("rss", "atom")
    ):
        return "feed"
    return "list"


def read_listing(data: bytes, url: str, content_type: str = "") -> Listing:
    """The article links (and continuation pages) of a source page of any kind."""
    kind = kind_of(data, content_type)
    if kind == "feed":
        return read_feed(data, url)
    if kind == "sitemap":
        return read_sitemap(data, url)
    return read_list_page(data, url)


def read_feed(data: bytes, url: str) -> Listing:
    """Entries of an RSS or Atom feed (feedparser is given bytes: it fetches nothing)."""
    parsed = feedparser.parse(data, response_headers={"content-location": url})
    links = []
    own = normalise(url)
    for entry in parsed.entries:
        raw_link = str(entry.get("link") or "").strip()
        link = normalise(raw_link, url) if raw_link else ""
        if not link or link == own:  # an entry without a link gets the feed's own address
            continue
        raw = str(entry.get("published") or entry.get("updated") or "")
        links.append(Link(link, str(entry.get("title") or "").strip(), parse_date(raw) or ""))
    return Listing("feed", links)


def read_sitemap(data: bytes, url: str) -> Listing:
    """<url> entries of a sitemap (with <lastmod>), or the child sitemaps of a sitemap index."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    root = lxml.etree.fromstring(data, parser)
    listing = Listing("sitemap")
    if root is None:
        return listing
    for entry in root.iter(f"{_SITEMAP_NS}url", "url"):
        loc = (entry.findtext(f"{_SITEMAP_NS}loc") or entry.findtext("loc") or "").strip()
        lastmod = entry.findtext(f"{_SITEMAP_NS}lastmod") or entry.findtext("lastmod") or ""
        if loc and (link := normalise(loc, url)):
            listing.links.append(Link(link, "", parse_date(lastmod) or ""))
    for child in root.iter(f"{_SITEMAP_NS}sitemap", "sitemap"):
        loc = (child.findtext(f"{_SITEMAP_NS}loc") or child.findtext("loc") or "").strip()
        if loc and (link := normalise(loc, url)):
            listing.more.append(link)
    return listing


def _headline(text: str) -> bool:
    """Link text that reads like an article title, not "More", "首页" or a page number."""
    return len(_CJK.findall(text)) >= 6 or len(text.split()) >= 4


def _in_chrome(element: lxml.html.HtmlElement) -> bool:
    return any(is_chrome(e) for e in (element, *element.iterancestors()))


def _next_pages(root: lxml.html.HtmlElement, markup: str, url: str) -> list[str]:
    found = [
        e.get("href", "") for e in root.iter("a", "link") if "next" in (e.get("rel") or "").lower().split()
    ]
    for a in root.iter("a"):
        if " ".join(a.text_content().split()).lower() in _NEXT_TEXT:
            found.append(a.get("href", ""))
    if m := _SCRIPT_PAGER.search(markup):
        pages, current, name, ext = int(m[1]), int(m[2]), m[3], m[4]
        if current + 1 < pages:
            found.append(f"{name}_{current + 1}.{ext}")
    out: list[str] = []
    for href in found:
        link = normalise(href, url)
        if link and link != normalise(url) and same_site(link, url) and link not in out:
            out.append(link)
    return out


def read_list_page(data: bytes, url: str) -> Listing:
    """Article links of a news list page: same site, outside the chrome, a headline for text."""
    markup, _ = decode(data, url)
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    root = lxml.html.document_fromstring(markup)
    own = normalise(url)
    above = {normalise(urljoin(own, p)) for p in ("./", "../", "/")}  # the section and the front page
    listing = Listing("list", more=_next_pages(root, markup, url))
    seen: set[str] = set()
    for a in root.iter("a"):
        link = normalise(a.get("href", ""), url)
        text = " ".join((a.text_content() or a.get("title") or "").split())
        if (
            not link
            or link in seen
            or link == own
            or link in above
            or link in listing.more
            or not same_site(link, url)
            or courlan.is_navigation_page(link)
            or courlan.is_not_crawlable(link)
            or not _headline(text)
            or _in_chrome(a)
        ):
            continue
        seen.add(link)
        item = next((p for p in a.iterancestors("li", "tr", "dd", "dl", "div", "article")), None)
        around = (
            " ".join(item.text_content().replace(a.text_content(), " ").split()) if item is not None else ""
        )
        listing.links.append(Link(link, text, info_line_date(around) or ""))
    return listing
