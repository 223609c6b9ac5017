"""Release pages built the way real sites build them, each with the title and date a reader must find.

Every page is made here from parts (navigation, breadcrumbs, info lines with view counts and
font-size links, share buttons, related-article lists, footers with copyright years and ICP
numbers) and encoded as real sites encode them (UTF-8, GB18030, Big5, a <meta charset> that
lies). The texts are written for these tests; none is copied from a real release.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from html import escape

import docx
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas


@dataclass(frozen=True)
class Page:
    """A file a user might save or a site might serve, and what its release title and date are."""

    name: str
    data: bytes
    title: str
    date: str  # "" when the page gives no publication date


# --- parts of a page ---------------------------------------------------------------------------

ZH_NAV = """<div class="header"><div class="top-bar">欢迎访问 | <a href="/en/">English</a> | <a href="/search">搜索</a></div>
<a href="/" class="logo"><h1>中国节能环保集团有限公司</h1></a>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/about/">走进集团</a></li>
<li><a href="/news/">新闻中心</a></li><li><a href="/esg/">社会责任</a></li><li><a href="/party/">党的建设</a></li></ul></div>"""
EN_NAV = """<header class="site-header"><a class="brand" href="/"><img src="/logo.png" alt="Group logo"></a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li><li><a href="/news">Newsroom</a></li>
<li><a href="/sustainability">Sustainability</a></li><li><a href="/investors">Investors</a></li></ul></nav></header>"""
ZH_CRUMB = '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻中心</a> &gt; {section}</div>'
EN_CRUMB = '<ol class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li>{section}</li></ol>'
ZH_FONT = (
    '【字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】'
)
ZH_SHARE = (
    '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>'
    '<div class="print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:close()">【关闭窗口】</a></div>'
)
EN_SHARE = '<div class="social-share">Share this: <a href="#">LinkedIn</a> <a href="#">X</a> <a href="#">Email</a></div>'
ZH_FOOTER = """<div class="footer"><p><a href="/about/">关于我们</a> | <a href="/map">网站地图</a> | <a href="/contact">联系我们</a></p>
<p>版权所有 © 2010-2024 {owner} 京ICP备05086797号-1 京公网安备11010202007811号</p>
<p>地址：北京市海淀区西直门北大街42号 邮编：100082</p></div>"""
EN_FOOTER = """<footer><p><a href="/privacy">Privacy</a> · <a href="/terms">Terms of use</a> · <a href="/contact">Contact</a></p>
<p>Copyright © 2008-2024 {owner}. All rights reserved. 京ICP备10213466号</p></footer>"""


def zh_related(items: list[tuple[str, str]]) -> str:
    rows = "".join(
        f'<li><a href="/news/{i}.html">{escape(t)}</a><span>{d}</span></li>' for i, (t, d) in enumerate(items)
    )
    return f'<div class="related-news"><h3>相关新闻</h3><ul>{rows}</ul></div>'


def en_related(items: list[tuple[str, str]]) -> str:
    rows = "".join(
        f'<li><a href="/news/{i}">{escape(t)}</a> <time datetime="{d}">{d}</time></li>'
        for i, (t, d) in enumerate(items)
    )
    return f'<aside class="related"><h2>Related news</h2><ul>{rows}</ul></aside>'


def paragraphs(texts: list[str]) -> str:
    return "\n".join(f"<p>{escape(t)}</p>" for t in texts)


def html_page(head: str, body: str, *, charset: str = "utf-8", lang: str = "zh-CN") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head>{meta}\n{head}\n</head><body>\n{body}\n</body></html>\n'
    )


ZH_BODY = [
    "6月2日，集团在北京召开2021年安全生产工作会议，集团党委书记、董事长出席会议并讲话，总结去年工作，部署今年重点任务。",
    "会议强调，要坚持人民至上、生命至上，压紧压实安全生产责任，力争到2025年实现重大安全事故零发生。",
    "会议要求，各子企业要深入开展安全生产专项整治三年行动，健全隐患排查治理体系，提升本质安全水平。",
]
ZH_BODY_RETOLD = [
    "2021年3月18日，集团曾印发安全生产专项整治三年行动实施方案，明确了一系列目标任务和工作要求。",
    *ZH_BODY[1:],
]
EN_BODY = [
    "The group will cut the carbon intensity of its power plants by 18 percent by 2025 and reach net zero "
    "across its own operations by 2050, the board said after approving a new climate plan.",
    "The plan also commits the group to build 10 gigawatts of wind and solar capacity and to report "
    "its emissions every year under an independent assurance standard.",
    "Employees across all subsidiaries will be trained in low-carbon operations over the next three years.",
]
EN_BODY_RETOLD = [
    "On March 18, 2022, the ranking of the world's most sustainable utilities was published, and the group "
    "was listed among the top ten for the second year running, ahead of many larger peers.",
    *EN_BODY[1:],
]
TW_BODY = [
    "集團於六月二日在台北召開二〇二一年永續發展委員會會議，董事長出席並致詞，檢視過去一年的減碳成果與社會參與。",
    "會議決議，集團將於二〇三〇年前將範疇一及範疇二溫室氣體排放量較基準年減少百分之三十，並全面導入再生能源。",
    "董事長強調，公司治理與資訊揭露是永續經營的基礎，將持續強化董事會對氣候風險的監督。",
]
RELATED_ZH = [
    ("集团召开2020年安全生产工作会议", "2020-05-11"),
    ("集团召开党史学习教育动员大会", "2021-03-18"),
]
RELATED_EN = [
    ("Group publishes 2020 sustainability report", "2021-04-30"),
    ("New wind farm connected", "2021-07-15"),
]


def zh_soe(
    title: str,
    info: str,
    *,
    head_title: str = "",
    head: str = "",
    heading: str = '<h2 class="article-title">{title}</h2>',
    body: list[str] = ZH_BODY,
    charset: str = "utf-8",
) -> str:
    """A state-owned group's news article: logo, menu, 当前位置 crumbs, title, info line, share, related, footer."""
    page_title = head_title or f"{title}_集团要闻_中国节能环保集团有限公司"
    article = (
        f'<div class="main"><div class="article">{heading.format(title=escape(title))}'
        f'<div class="info">{info}</div><div class="TRS_Editor">{paragraphs(body)}</div>'
        f"{ZH_SHARE}{zh_related(RELATED_ZH)}</div></div>"
    )
    return html_page(
        f"<title>{escape(page_title)}</title>{head}",
        ZH_NAV
        + ZH_CRUMB.format(section="集团要闻")
        + article
        + ZH_FOOTER.format(owner="中国节能环保集团有限公司"),
        charset=charset,
    )


TW_NAV = """<div id="header"><a href="/" class="site-logo"><h1>範例控股集團</h1></a>
<ul id="menu"><li><a href="/">首頁</a></li><li><a href="/about/">關於集團</a></li><li><a href="/news/">新聞中心</a></li>
<li><a href="/csr/">永續發展</a></li></ul></div>"""


def tw_site(title: str, info: str, *, charset: str = "utf-8") -> str:
    """A Traditional Chinese group site: 您的位置 crumbs, 發佈時間 info line, 分享 buttons, 延伸閱讀, footer."""
    article = (
        f'<div id="content"><h2 class="news-title">{escape(title)}</h2><div class="news-info">{info}</div>'
        f'<div class="news-body">{paragraphs(TW_BODY)}</div>'
        '<div class="share-box">分享：<a href="#">Facebook</a> <a href="#">LINE</a></div>'
        '<div class="related"><h3>延伸閱讀</h3><ul><li><a href="/news/7.html">集團發布二〇二〇年永續報告書</a>'
        "<span>2021-04-30</span></li></ul></div></div>"
    )
    footer = '<div class="footer">版權所有 Copyright 2012-2024 範例控股集團 保留一切權利</div>'
    return html_page(
        f"<title>{escape(title)}｜新聞中心｜範例控股集團</title>",
        TW_NAV
        + '<div class="breadcrumb">您的位置：<a href="/">首頁</a> &gt; 新聞中心</div>'
        + article
        + footer,
        charset=charset,
        lang="zh-Hant",
    )


def gov_table(
    title: str, info: str, *, head: str = "", body: list[str] = ZH_BODY, charset: str = "utf-8"
) -> str:
    """An older table-laid-out site: the title in a <td class="title">, the info line in the next row."""
    rows = (
        f'<table width="100%" class="biaoti"><tr><td class="title" align="center">{escape(title)}</td></tr>'
        f'<tr><td class="fbrq" align="center">{info}</td></tr>'
        f'<tr><td class="zw">{paragraphs(body)}</td></tr></table>'
    )
    page = (
        '<table width="1000"><tr><td><img src="/images/top.jpg" alt="国务院国有资产监督管理委员会"></td></tr></table>'
        '<table class="nav"><tr><td><a href="/">首页</a></td><td><a href="/n1/">机构概况</a></td>'
        '<td><a href="/n2/">新闻发布</a></td></tr></table>'
        f'<div class="location">您当前的位置：<a href="/">首页</a> &gt; 新闻发布</div>{rows}'
        f'<div class="bottom">{ZH_FOOTER.format(owner="某某委员会")}</div>'
    )
    return html_page(f"<title>{escape(title)} - 新闻发布</title>{head}", page, charset=charset)


def en_newsroom(
    title: str,
    meta_line: str,
    *,
    head: str = "",
    head_title: str = "",
    body: list[str] = EN_BODY,
    heading: str = "<h1>{title}</h1>",
) -> str:
    """A corporate newsroom: site header, breadcrumbs, h1, a meta line, share buttons, related news."""
    page_title = head_title or f"{title} | Newsroom | Example Energy Group"
    article = (
        f'<main><article class="news-article"><div class="article-header">{heading.format(title=escape(title))}'
        f'<p class="article-meta">{meta_line}</p></div><div class="article-body">{paragraphs(body)}</div>'
        f"{EN_SHARE}</article>{en_related(RELATED_EN)}</main>"
    )
    return html_page(
        f"<title>{escape(page_title)}</title>{head}",
        EN_NAV
        + EN_CRUMB.format(section="Press releases")
        + article
        + EN_FOOTER.format(owner="Example Energy Group"),
        lang="en",
    )


def blog_post(title: str, date_iso: str, *, body: list[str] = EN_BODY) -> str:
    """A blog-engine post: JSON-LD, entry-meta with <time>, a newer 'latest posts' widget before the post."""
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Example Group Blog"},
            {"@type": "NewsArticle", "headline": title, "datePublished": f"{date_iso}T09:30:00+08:00"},
        ],
    }
    latest = (
        '<div class="widget latest-posts"><h4>Latest posts</h4><ul>'
        '<li><a href="/p/9">Quarterly results call</a> <span>2024-01-05</span></li></ul></div>'
    )
    post = (
        f'<article class="post"><h1 class="entry-title">{escape(title)}</h1>'
        f'<div class="entry-meta">Posted on <time datetime="{date_iso}">{date_iso}</time> by Press Office'
        f' · 1,204 views</div><div class="entry-content">{paragraphs(body)}</div>'
        '<div class="sharedaddy">Share: <a href="#">Facebook</a></div></article>'
    )
    return html_page(
        f'<title>{escape(title)} – Example Group Blog</title><script type="application/ld+json">{json.dumps(ld)}</script>',
        EN_NAV + latest + post + EN_FOOTER.format(owner="Example Group"),
        lang="en",
    )


# --- the set ------------------------------------------------------------------------------------


def html_pages() -> list[Page]:
    t1 = "集团召开2021年安全生产工作会议"
    t2 = "集团发布2020年度社会责任报告"
    t3 = "集团与地方政府签署乡村振兴战略合作协议"
    t_en = "Example Energy Group approves its 2050 net zero plan"
    t_tw = "集團召開二〇二一年永續發展委員會會議"
    views = "浏览次数：1532"
    pages = [
        Page(
            "zh-info-line.html",
            zh_soe(
                t1, f"发布时间：2021-06-03 &nbsp; 来源：党群工作部 &nbsp; {views} &nbsp; {ZH_FONT}"
            ).encode(),
            t1,
            "2021-06-03",
        ),
        Page(
            "zh-info-cn-date.html",
            zh_soe(t2, f"来源：集团办公室　　发布日期：2021年06月03日 10:30　　{ZH_FONT}").encode(),
            t2,
            "2021-06-03",
        ),
        Page(
            "zh-fullwidth.html",
            zh_soe(t3, "发布时间：２０２１－０６－０３　１０：３０　来源：本站　点击：８８").encode(),
            t3,
            "2021-06-03",
        ),
        Page(
            "zh-gb18030.html",
            zh_soe(t1, f"日期：2021/6/3　作者：宣传部　{views}", charset="gb2312").encode("gb18030"),
            t1,
            "2021-06-03",
        ),
        Page(
            "zh-gb18030-lying-utf8.html",
            zh_soe(t2, "发布时间：2021.06.03　来源：新华网", charset="utf-8").encode("gb18030"),
            t2,
            "2021-06-03",
        ),
        Page(
            "zh-utf8-lying-gb2312.html",
            zh_soe(t3, "发布时间：2021-06-03 09:12:45 【字体：大 中 小】", charset="gb2312").encode(),
            t3,
            "2021-06-03",
        ),
        Page(
            "zh-no-charset-gbk.html",
            zh_soe(t1, f"时间：2021-06-03 {views}", charset="").encode("gb18030"),
            t1,
            "2021-06-03",
        ),
        Page(
            "zh-meta-pubdate.html",
            zh_soe(
                t2, f"来源：集团办公室 {views}", head='<meta name="PubDate" content="2021-06-03 08:00">'
            ).encode(),
            t2,
            "2021-06-03",
        ),
        Page(
            "zh-date-only-line.html",
            zh_soe(t3, "2021-06-03 10:20 | 来源：中国节能 | 浏览：456").encode(),
            t3,
            "2021-06-03",
        ),
        Page(
            "zh-cn-numerals.html",
            zh_soe(t1, "发布时间：二〇二一年六月三日 来源：集团新闻中心").encode(),
            t1,
            "2021-06-03",
        ),
        Page(
            "zh-retold-date-only.html",
            zh_soe(t1, f"来源：党群工作部 {views} {ZH_FONT}", body=ZH_BODY_RETOLD).encode(),
            t1,
            "",
        ),
        Page(
            "zh-title-differs.html",
            zh_soe(t2, "发布时间：2021-06-03", head_title="集团要闻 - 中国节能环保集团有限公司").encode(),
            t2,
            "2021-06-03",
        ),
        Page(
            "zh-truncated-title.html",
            zh_soe(
                t3, "发布时间：2021-06-03", head_title="集团与地方政府签署乡村振兴战略…_新闻中心"
            ).encode(),
            t3,
            "2021-06-03",
        ),
        Page(
            "zh-div-title.html",
            zh_soe(t1, "发布时间：2021-06-03", heading='<div class="news_tit">{title}</div>').encode(),
            t1,
            "2021-06-03",
        ),
        Page(
            "zh-h1-with-subtitle.html",
            zh_soe(
                t2,
                "发布时间：2021-06-03",
                heading='<h1>{title}</h1><h3 class="sub-title">——践行绿色发展理念</h3>',
                head_title="中国节能环保集团有限公司",
            ).encode(),
            t2,
            "2021-06-03",
        ),
        Page(
            "zh-updated-and-published.html",
            zh_soe(t3, "更新时间：2021-06-08　发布时间：2021-06-03　来源：本网").encode(),
            t3,
            "2021-06-03",
        ),
        Page(
            "gov-table.html",
            gov_table(t1, "日期：2021-06-03　来源：新闻中心　【打印】【关闭】").encode(),
            t1,
            "2021-06-03",
        ),
        Page(
            "gov-table-articletitle-meta.html",
            gov_table(
                t2,
                "【字体：大 中 小】【打印】",
                head=f'<meta name="ArticleTitle" content="{t2}"><meta name="PubDate" content="2021-06-03 16:41">',
                charset="gbk",
            ).encode("gb18030"),
            t2,
            "2021-06-03",
        ),
        Page(
            "tw-big5.html",
            tw_site(t_tw, "發佈時間：２０２１年６月３日　瀏覽次數：２０８", charset="big5").encode(
                "big5hkscs"
            ),
            t_tw,
            "2021-06-03",
        ),
        Page(
            "tw-utf8-traditional-labels.html",
            tw_site(t_tw, "來源：集團公關室　發布日期：2021年6月3日　【字號：大 中 小】").encode(),
            t_tw,
            "2021-06-03",
        ),
        Page(
            "en-published-line.html",
            en_newsroom(t_en, "Published: 3 June 2021 | 3 min read").encode(),
            t_en,
            "2021-06-03",
        ),
        Page(
            "en-og-meta.html",
            en_newsroom(
                t_en,
                "Press release · 4 min read",
                head=(
                    f'<meta property="og:title" content="{t_en}"><meta property="og:site_name" content="Example Energy Group">'
                    '<meta property="article:published_time" content="2021-06-03T08:00:00+08:00">'
                    '<meta property="article:modified_time" content="2022-01-10T08:00:00+08:00">'
                ),
            ).encode(),
            t_en,
            "2021-06-03",
        ),
        Page(
            "en-source-date.html",
            en_newsroom(t_en, "Source: Example Energy Group&nbsp;&nbsp;Date: 2021-06-03").encode(),
            t_en,
            "2021-06-03",
        ),
        Page(
            "en-us-date-and-time.html",
            en_newsroom(t_en, "Jun 3, 2021 09:00 AM | Press release").encode(),
            t_en,
            "2021-06-03",
        ),
        Page(
            "en-retold-date-only.html",
            en_newsroom(t_en, "Press release · 2 min read", body=EN_BODY_RETOLD).encode(),
            t_en,
            "",
        ),
        Page(
            "en-title-differs.html",
            en_newsroom(t_en, "June 3, 2021", head_title="News Center - Example Energy Group").encode(),
            t_en,
            "2021-06-03",
        ),
        Page("en-blog-json-ld.html", blog_post(t_en, "2021-06-03").encode(), t_en, "2021-06-03"),
        Page(
            "en-no-heading.html",
            html_page(
                f"<title>{t_en} - News Center - Example Energy Group</title>",
                EN_NAV
                + '<div class="content"><p class="date">Date: June 3, 2021</p>'
                + paragraphs(EN_BODY)
                + "</div>"
                + EN_FOOTER.format(owner="Example Energy Group"),
                lang="en",
            ).encode(),
            t_en,
            "2021-06-03",
        ),
        Page(
            "en-date-above-heading.html",
            en_newsroom(
                t_en, "By the Press Office", heading='<p class="kicker">03 June 2021</p><h1>{title}</h1>'
            ).encode(),
            t_en,
            "2021-06-03",
        ),
    ]
    return pages + other_layouts()


def other_layouts() -> list[Page]:
    """Layouts unlike the templates above: a site-name <h1>, a section <h1>, a title-less <title>."""
    a = (
        "<title>新闻详情</title>",
        '<div class="wrap"><h1>某某集团官网</h1><div class="menu"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
        '<div class="detail"><div class="detail-hd"><h3>集团党委召开理论学习中心组学习会</h3>'
        '<p>2022-09-15　　来源：党委宣传部　　阅读：<span id="count">128</span></p></div><div class="detail-bd">'
        "<p>9月14日，集团党委召开理论学习中心组学习会，深入学习贯彻重要讲话精神。集团党委书记主持会议并讲话。</p>"
        "<p>会议要求，要把学习成果转化为推动高质量发展的实际成效，确保完成全年目标任务。</p></div></div>"
        '<div class="foot">Copyright 2022 某某集团 沪ICP备12345678号</div></div>',
    )
    b = (
        "<title>Group signs green finance deal with bank - Group News</title>",
        '<div id="top"><div class="logo">Group</div></div><div id="main"><div class="crumbs"><a href="/">Home</a> / News</div>'
        '<h1 class="page-title">News</h1><div class="news-detail"><h2>Group signs green finance deal with bank</h2>'
        '<span class="date">2022-11-02</span><p>The group signed a 5 billion yuan green finance agreement with a state '
        "bank on Tuesday to fund wind and solar projects across three provinces.</p><p>The deal will help the group "
        "reach its 2030 carbon peak target, the chairman said at the signing ceremony in Beijing.</p></div></div>",
    )
    c = (
        "<title>中国某某集团有限公司</title>",
        '<div class="ny_banner"><img src="b.jpg"></div><div class="list_left"><h4>新闻中心</h4><ul>'
        '<li><a href="/1">集团要闻</a></li><li><a href="/2">媒体聚焦</a></li></ul></div><div class="list_right">'
        '<div class="ny_title"><span>集团要闻</span></div><div class="xl_title">某某集团获评国资委社会责任优秀案例</div>'
        '<div class="xl_date">发布者：管理员　时间：2023年1月5日　浏览量：77</div><div class="xl_con">'
        "<p>近日，国务院国资委发布中央企业社会责任优秀案例，某某集团报送的乡村振兴帮扶案例成功入选。</p>"
        "<p>集团将继续深入推进定点帮扶工作，助力乡村全面振兴。</p></div></div>",
    )
    return [
        Page(
            "zh-site-name-h1.html", html_page(*a).encode(), "集团党委召开理论学习中心组学习会", "2022-09-15"
        ),
        Page(
            "en-section-h1.html",
            html_page(*b, lang="en").encode(),
            "Group signs green finance deal with bank",
            "2022-11-02",
        ),
        Page("zh-xl-title.html", html_page(*c).encode(), "某某集团获评国资委社会责任优秀案例", "2023-01-05"),
    ]


def _pdf_bytes(lines: list[tuple[str, str, int]], *, title: str = "", created: str = "") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    if title:
        pdf.setTitle(title)
    y = 800
    for text, font, size in lines:
        pdf.setFont(font, size)
        pdf.drawString(60, y, text)
        y -= size + 8
    pdf.showPage()
    pdf.save()
    if not created:
        return buffer.getvalue()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.add_metadata({"/CreationDate": created})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_pages() -> list[Page]:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    en = "Example Energy Group approves its 2050 net zero plan"
    zh = "集团召开2021年安全生产工作会议"
    body_en = [
        (
            "The group will cut the carbon intensity of its power plants by 18 percent by 2025",
            "Helvetica",
            11,
        ),
        ("and reach net zero across its own operations by 2050.", "Helvetica", 11),
    ]
    body_zh = [
        ("会议强调，要坚持人民至上、生命至上，压紧压实安全生产责任，", "STSong-Light", 11),
        ("力争到2025年实现重大安全事故零发生。", "STSong-Light", 11),
    ]
    return [
        Page(
            "en-metadata-title.pdf",
            _pdf_bytes(
                [("FOR IMMEDIATE RELEASE", "Helvetica", 9), ("3 June 2021", "Helvetica", 11), *body_en],
                title=en,
            ),
            en,
            "2021-06-03",
        ),
        Page(
            "en-placeholder-metadata.pdf",
            _pdf_bytes(
                [(en, "Helvetica-Bold", 18), ("Published: June 3, 2021", "Helvetica", 11), *body_en],
                title="Microsoft Word - press release final v2.docx",
                created="D:20210701101500+08'00'",
            ),
            en,
            "2021-06-03",
        ),
        Page(
            "zh-heading-and-date-line.pdf",
            _pdf_bytes([(zh, "STSong-Light", 18), ("发布日期：2021年6月3日", "STSong-Light", 11), *body_zh]),
            zh,
            "2021-06-03",
        ),
        Page(
            "zh-creation-date.pdf",
            _pdf_bytes([(zh, "STSong-Light", 16), *body_zh], created="D:20210603091500+08'00'"),
            zh,
            "2021-06-03",
        ),
    ]


def _docx_bytes(
    paragraphs_: list[tuple[str, str]],
    *,
    title: str = "",
    author: str = "",
    created: dt.datetime | None = None,
) -> bytes:
    document = docx.Document()
    for text, style in paragraphs_:
        document.add_paragraph(text, style=style or None)
    props = document.core_properties
    if title:
        props.title = title
    if author:
        props.author = author
    if created:
        props.created = created
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_pages() -> list[Page]:
    en = "Example Energy Group approves its 2050 net zero plan"
    zh = "集团召开2021年安全生产工作会议"
    return [
        Page(
            "en-title-style.docx",
            _docx_bytes([(en, "Title"), ("Date: 3 June 2021", ""), *((p, "") for p in EN_BODY)]),
            en,
            "2021-06-03",
        ),
        Page(
            "zh-first-lines.docx",
            _docx_bytes(
                [(zh, ""), ("发布时间：2021年6月3日　来源：党群工作部", ""), *((p, "") for p in ZH_BODY)]
            ),
            zh,
            "2021-06-03",
        ),
        Page(
            "en-core-properties.docx",
            _docx_bytes(
                [(p, "") for p in EN_BODY],
                title=en,
                author="Press Office",
                created=dt.datetime(2021, 6, 3, 9, 0),
            ),
            en,
            "2021-06-03",
        ),
        Page(
            "zh-template-stamp-no-date.docx",
            _docx_bytes([(zh, "Heading 1"), *((p, "") for p in ZH_BODY_RETOLD)]),
            zh,
            "",
        ),
    ]


def all_pages() -> list[Page]:
    """Every page of the set: HTML in both languages and encodings, PDF and Word."""
    return [*html_pages(), *pdf_pages(), *docx_pages()]
