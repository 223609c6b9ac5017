"""What a source links to: list pages (chrome left out, next pages found), feeds, sitemaps, URLs."""

from __future__ import annotations

import pytest

from esgdata import links

BASE = "https://www.example.cn/news/jtyw/index.html"
LIST_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>集团要闻</title>
<link rel="next" href="index_1.html"></head><body>
<div class="header"><a href="/" class="logo">示例集团</a><ul class="nav"><li><a href="/about/">走进集团了解集团发展历程</a></li>
<li><a href="/news/">新闻中心</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻中心</a> &gt; 集团要闻</div>
<div class="list"><ul>
<li><a href="./202106/t20210603_1.html">集团召开2021年安全生产工作会议</a><span>2021-06-03</span></li>
<li><a href="/news/jtyw/202106/t20210604_2.html#comments">集团发布2020年度社会责任报告</a><span>2021-06-04</span></li>
<li><a href="https://other-site.org/story.html">另一个网站的一篇新闻报道全文</a><span>2021-06-05</span></li>
<li><a href="/tag/esg/">ESG 相关的全部新闻报道列表</a></li>
<li><a href="./202106/t20210605_3.html">更多</a></li>
</ul>
<div class="pagination"><a href="index_1.html">下一页</a> <a href="index_9.html">尾页</a></div></div>
<div class="related"><a href="/news/jtyw/202001/t20200101_9.html">集团召开2020年工作会议暨职代会</a></div>
<div class="footer"><a href="/contact/">联系我们获取更多集团信息与服务</a> 版权所有 © 2024 京ICP备00000000号</div>
<script>createPageHTML(10, 0, "index", "html");</script>
</body></html>"""


def test_a_list_page_gives_its_articles_and_leaves_the_chrome_out() -> None:
    listing = links.read_list_page(LIST_PAGE.encode(), BASE)
    assert listing.kind == "list"
    assert [(link.url, link.title, link.published) for link in listing.links] == [
        (
            "https://www.example.cn/news/jtyw/202106/t20210603_1.html",
            "集团召开2021年安全生产工作会议",
            "2021-06-03",
        ),
        (
            "https://www.example.cn/news/jtyw/202106/t20210604_2.html",
            "集团发布2020年度社会责任报告",
            "2021-06-04",
        ),
    ]


def test_a_list_page_continues_on_its_next_page() -> None:
    listing = links.read_list_page(LIST_PAGE.encode(), BASE)
    assert listing.more == ["https://www.example.cn/news/jtyw/index_1.html"]


def test_a_pager_written_in_script_gives_the_next_page() -> None:
    page = '<html><body><script>createPageHTML(5, 2, "index", "shtml");</script></body></html>'
    assert links.read_list_page(page.encode(), "http://x.cn/list/index_2.shtml").more == [
        "http://x.cn/list/index_3.shtml"
    ]
    last = '<html><body><script>createPageHTML(5, 4, "index", "shtml");</script></body></html>'
    assert links.read_list_page(last.encode(), "http://x.cn/list/index_4.shtml").more == []


def test_an_rss_feed_gives_its_items_with_their_local_dates() -> None:
    feed = """<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
    <item><title>Green bond</title><link>/en/green-bond.html</link><pubDate>Thu, 03 Jun 2021 07:00:00 +0800</pubDate></item>
    <item><title>No link</title></item></channel></rss>"""
    listing = links.read_listing(feed.encode(), "https://www.example.com/feed.xml", "application/rss+xml")
    assert listing.kind == "feed"
    assert listing.links == [
        links.Link("https://www.example.com/en/green-bond.html", "Green bond", "2021-06-03")
    ]


def test_an_atom_feed_is_read_too() -> None:
    feed = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>N</title>
    <entry><title>风电场并网</title><link href="https://www.example.cn/a.html"/><published>2021-06-05T09:00:00+08:00</published></entry></feed>"""
    listing = links.read_listing(feed.encode(), "https://www.example.cn/atom.xml")
    assert [(link.url, link.published) for link in listing.links] == [
        ("https://www.example.cn/a.html", "2021-06-05")
    ]


def test_a_sitemap_gives_its_urls_and_a_sitemap_index_its_children() -> None:
    urlset = """<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://www.example.com/a.html</loc><lastmod>2021-06-03</lastmod></url>
    <url><loc>https://www.example.com/b.html</loc></url></urlset>"""
    listing = links.read_listing(urlset.encode(), "https://www.example.com/sitemap.xml")
    assert (listing.kind, [(x.url, x.published) for x in listing.links]) == (
        "sitemap",
        [("https://www.example.com/a.html", "2021-06-03"), ("https://www.example.com/b.html", "")],
    )
    index = """<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://www.example.com/sitemap-news.xml</loc></sitemap></sitemapindex>"""
    assert links.read_listing(index.encode(), "https://www.example.com/sitemap.xml").more == [
        "https://www.example.com/sitemap-news.xml"
    ]


def test_a_sitemap_with_an_external_entity_reads_nothing_outside_it(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://www.example.com/leaked.html")
    hostile = f"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&x;</loc></url></urlset>"""
    assert links.read_listing(hostile.encode(), "https://www.example.com/sitemap.xml").links == []


@pytest.mark.parametrize(
    ("url", "base", "normal"),
    [
        ("HTTPS://WWW.Example.COM/News/a.html#top", "", "https://www.example.com/News/a.html"),
        ("../b.html", "https://x.org/news/a/index.html", "https://x.org/news/b.html"),
        ("javascript:void(0)", "https://x.org/", ""),
        ("mailto:press@x.org", "https://x.org/", ""),
        ("ftp://x.org/a", "", ""),
    ],
)
def test_urls_are_made_absolute_and_normal(url: str, base: str, normal: str) -> None:
    assert links.normalise(url, base) == normal


def test_sister_hosts_of_one_organisation_are_the_same_site() -> None:
    assert links.same_site("https://news.example.cn/a.html", "https://www.example.cn/news/")
    assert not links.same_site("https://example.org/a.html", "https://www.other.org/news/")
