"""A small news site served from loopback inside the tests, changed by the tests as they go.

It has what the fetcher meets on real sites: a news list spread over three pages with
menus, breadcrumbs and a footer, an RSS feed, a sitemap, a robots.txt that forbids one
path, articles in Chinese (UTF-8, GB18030, a lying <meta charset>) and English, a PDF,
one article that changes, one that answers 404 until it is published, one that never
answers in time. It answers conditional requests (ETag and Last-Modified) with 304, and
logs every request.
"""

from __future__ import annotations

import functools
import hashlib
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

LAST_MODIFIED = formatdate(1622678400, usegmt=True)  # 2021-06-03: the site's pages do not move


@dataclass
class Hit:
    """One request the site answered."""

    path: str
    status: int
    headers: dict[str, str]


@dataclass
class Site:
    """The site's state, which tests change, and its request log."""

    base: str = ""
    changing_version: int = 1
    flaky_status: int = 404
    gone: set[str] = field(default_factory=set)  # paths that now answer 404
    slow_seconds: float = 3.0
    robots: str = "User-agent: *\nDisallow: /private/\n"
    robots_status: int = 200
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def requested(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]


NAV = (
    '<div class="header"><a href="/" class="logo"><h1>示例集团</h1></a><ul class="nav">'
    '<li><a href="/">首页</a></li><li><a href="/about/">关于我们集团的历史与使命</a></li>'
    '<li><a href="/news/">新闻中心</a></li></ul></div>'
)
FOOTER = (
    '<div class="footer"><a href="/contact/">联系我们获取更多集团信息</a> '
    "版权所有 © 2010-2024 示例集团 京ICP备00000000号</div>"
)

ZH_BODY_1 = [
    "6月2日，示例集团召开年度安全生产工作会议，集团董事长出席会议并讲话，部署全年安全生产重点任务。",
    "会议强调，集团将力争到2025年实现重大安全事故零发生，全面提升本质安全水平。",
]
ZH_BODY_2 = [
    "6月3日，示例集团发布年度社会责任报告，全面披露集团在环境、社会和治理方面的实践与成效。",
    "集团将力争到2025年实现单位产值能耗较2020年下降15%，持续推进绿色低碳转型。",
]
ZH_BODY_3 = [
    "6月4日，示例集团与地方政府签署乡村振兴战略合作协议，双方将在产业帮扶、人才培养等方面深化合作。",
    "集团将在未来三年投入专项资金，助力当地发展特色产业，巩固拓展脱贫攻坚成果。",
]
CHANGING = {
    1: "The group will cut its carbon emissions by 30 percent by 2030.",
    2: "The group will cut its carbon emissions by 35 percent by 2030 from 2020 levels.",
}


def zh_article(title: str, date: str, body: list[str], *, charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{escape(title)}_新闻中心_示例集团</title>'
        f'</head><body>{NAV}<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻中心</a></div>'
        f'<div class="article"><h2 class="title">{escape(title)}</h2><div class="info">发布时间：{date}　'
        f"来源：示例集团　浏览次数：{int(time.time()) % 1000}　【字号：大 中 小】</div>{paragraphs}"
        f'<div class="share">分享到：<a href="#">微信</a></div></div>{FOOTER}</body></html>'
    )


def en_article(title: str, date: str, body: list[str]) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)} | Newsroom</title>"
        f"</head><body><nav><a href='/'>Home</a> <a href='/news/'>News</a></nav><main><article>"
        f"<h1>{escape(title)}</h1><p class='meta'>Published: {date}</p>{paragraphs}</article></main>"
        "<footer>Copyright © 2024 Example Group</footer></body></html>"
    )


def list_page(items: list[tuple[str, str, str]], next_path: str) -> str:
    rows = "".join(
        f'<li><a href="{href}">{escape(text)}</a><span>{date}</span></li>' for href, text, date in items
    )
    pager = f'<div class="page"><a href="{next_path}">下一页</a></div>' if next_path else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻中心_示例集团</title></head><body>{NAV}'
        f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; 新闻中心</div>'
        f'<div class="list"><ul>{rows}</ul>{pager}</div>{FOOTER}</body></html>'
    )


@functools.cache  # one file: a PDF made again would carry a new timestamp and ID
def _pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle("Example Group climate plan")
    pdf.setFont("Helvetica", 11)
    for i, line in enumerate(
        [
            "Date: 10 June 2021",
            "The group will reach net zero across its operations by 2050.",
            "It will report every year.",
        ]
    ):
        pdf.drawString(60, 800 - 16 * i, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pages(site: Site) -> dict[str, tuple[str, bytes]]:
    """path -> (content type, bytes), as the site stands now."""
    html = "text/html; charset=utf-8"
    bare = "text/html"  # the GB18030 pages say nothing in their header, like many old servers
    return {
        "/robots.txt": ("text/plain", site.robots.encode()),
        "/news/": (
            html,
            list_page(
                [
                    ("/news/2021/0603/a1.html", "示例集团召开年度安全生产工作会议", "2021-06-03"),
                    ("2021/0604/a2.html", "示例集团发布年度社会责任报告全文", "2021-06-04"),
                    ("/private/internal-note.html", "内部通知：关于近期工作安排的说明", "2021-06-04"),
                ],
                "/news/index_1.html",
            ).encode(),
        ),
        "/news/index_1.html": (
            html,
            list_page(
                [
                    ("/news/2021/0605/a3.html", "示例集团签署乡村振兴战略合作协议", "2021-06-05"),
                    ("/news/changing.html", "Example Group sets its 2030 emissions target", "2021-06-06"),
                ],
                "/news/index_2.html",
            ).encode(),
        ),
        "/news/index_2.html": (
            html,
            list_page(
                [
                    ("/news/flaky.html", "Example Group opens its first offshore wind farm", "2021-06-07"),
                    ("/news/slow.html", "Example Group publishes its water stewardship plan", "2021-06-08"),
                ],
                "",
            ).encode(),
        ),
        "/news/2021/0603/a1.html": (
            html,
            zh_article("示例集团召开年度安全生产工作会议", "2021-06-03", ZH_BODY_1).encode(),
        ),
        "/news/2021/0604/a2.html": (
            bare,
            zh_article("示例集团发布年度社会责任报告", "2021年6月4日", ZH_BODY_2, charset="gb2312").encode(
                "gb18030"
            ),
        ),
        "/news/2021/0605/a3.html": (
            bare,  # declares UTF-8, is GB18030: the reader must not believe it
            zh_article("示例集团签署乡村振兴战略合作协议", "２０２１－０６－０５", ZH_BODY_3).encode(
                "gb18030"
            ),
        ),
        "/news/changing.html": (
            html,
            en_article(
                "Example Group sets its 2030 emissions target",
                "6 June 2021",
                [
                    CHANGING[site.changing_version],
                    "The board approved the plan on Friday after a year of work.",
                ],
            ).encode(),
        ),
        "/news/flaky.html": (
            html,
            en_article(
                "Example Group opens its first offshore wind farm",
                "7 June 2021",
                [
                    "The group will build 2 gigawatts of offshore wind capacity by 2027.",
                    "The farm powers a city.",
                ],
            ).encode(),
        ),
        "/private/internal-note.html": (html, zh_article("内部通知", "2021-06-04", ZH_BODY_1).encode()),
        "/feed.xml": (
            "application/rss+xml",
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Example Group news</title>'
                f"<link>{site.base}/</link><description>News</description>"
                f"<item><title>Green bond</title><link>{site.base}/en/2021/green-bond.html</link>"
                "<pubDate>Wed, 09 Jun 2021 08:00:00 +0800</pubDate></item>"
                f"<item><title>Safety meeting</title><link>{site.base}/news/2021/0603/a1.html</link>"
                "<pubDate>Thu, 03 Jun 2021 08:00:00 +0800</pubDate></item>"
                "</channel></rss>"
            ).encode(),
        ),
        "/en/2021/green-bond.html": (
            html,
            en_article(
                "Example Group issues its first green bond",
                "9 June 2021",
                [
                    "The group will use the proceeds to build solar farms with 500 megawatts of capacity by 2025."
                ],
            ).encode(),
        ),
        "/sitemap.xml": (
            "application/xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{site.base}/en/2021/wind-farm.html</loc><lastmod>2021-06-11</lastmod></url>"
                f"<url><loc>{site.base}/en/2021/climate-plan.pdf</loc><lastmod>2021-06-10</lastmod></url>"
                f"<url><loc>{site.base}/en/2021/green-bond.html</loc><lastmod>2021-06-09</lastmod></url>"
                "</urlset>"
            ).encode(),
        ),
        "/en/2021/wind-farm.html": (
            html,
            en_article(
                "Example Group connects its largest wind farm",
                "11 June 2021",
                ["The group will double its wind capacity by 2026 and train 300 local technicians."],
            ).encode(),
        ),
        "/en/2021/climate-plan.pdf": ("application/pdf", _pdf()),
    }


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        site = self.site
        path = self.path.split("?")[0]
        if path == "/news/slow.html":
            time.sleep(site.slow_seconds)
        found = pages(site).get(path)
        status = 200 if found and path not in site.gone else 404
        if path == "/robots.txt":
            status = site.robots_status
        if path == "/news/flaky.html" and path not in site.gone:
            status = site.flaky_status
        if status != 200 or found is None:
            self._answer(path, status, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
            return
        content_type, body = found
        basis = path.encode() if path in _DYNAMIC else body  # a view counter is no new version
        etag = '"' + hashlib.sha256(basis).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._answer(path, 304, b"", content_type, etag)
            return
        self._answer(path, 200, body, content_type, etag)

    def _answer(self, path: str, status: int, body: bytes, content_type: str, etag: str = "") -> None:
        with self.site.lock:
            self.site.hits.append(Hit(path, status, {k.lower(): v for k, v in self.headers.items()}))
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the fetcher gave up waiting (the slow page)
            pass

    def log_message(self, *_args: object) -> None:  # quiet: the site's log is ``Site.hits``
        pass


# Pages whose bytes change on every view (a view counter): their ETag follows the article, not the bytes.
_DYNAMIC = {
    "/news/2021/0603/a1.html",
    "/news/2021/0604/a2.html",
    "/news/2021/0605/a3.html",
    "/private/internal-note.html",
}


@contextmanager
def serve() -> Iterator[Site]:
    """Run the site on 127.0.0.1 (a free port) for the duration of the block."""
    site = Site()
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
