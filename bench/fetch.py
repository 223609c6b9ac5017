"""Fetching: a loopback newsroom of N articles fetched once, then again (every page a 304).

usage: python bench/fetch.py [--articles N]

The site is served on 127.0.0.1 from this process (list pages of 20 links with "下一页"
pagination, articles with ETags); the delay between requests is 0 so the figures are the
fetcher's own cost (reading, extracting, storing), not the politeness. Prints pages/s and
peak memory for the first fetch and for the conditional re-fetch.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PER_LIST = 20


def article(i: int) -> bytes:
    body = "".join(
        f"<p>第{i}号新闻：示例集团将力争到{2025 + i % 6}年实现单位产值能耗下降{10 + i % 9}%，"
        f"持续推进绿色低碳转型，加强科技创新和人才培养，第{k}段。</p>"
        for k in range(6)
    )
    return (
        f'<html><head><meta charset="utf-8"><title>示例集团新闻{i}_新闻中心</title></head><body>'
        '<ul class="nav"><li><a href="/">首页</a></li></ul>'
        f'<div class="article"><h2>示例集团新闻第{i}号公告</h2>'
        f'<div class="info">发布时间：2021-06-{1 + i % 28:02d}　来源：示例集团</div>{body}</div>'
        '<div class="footer">版权所有 © 2024 示例集团</div></body></html>'
    ).encode()


def list_page(page: int, articles: int) -> bytes:
    first = page * PER_LIST
    items = "".join(
        f'<li><a href="/news/{i}.html">示例集团新闻第{i}号公告全文</a></li>'
        for i in range(first, min(first + PER_LIST, articles))
    )
    more = f'<a href="/news/index_{page + 1}.html">下一页</a>' if first + PER_LIST < articles else ""
    return f'<html><body><ul class="list">{items}</ul>{more}</body></html>'.encode()


def serve(articles: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path
            if path == "/robots.txt":
                body = b"User-agent: *\nAllow: /\n"
            elif path == "/news/":
                body = list_page(0, articles)
            elif path.startswith("/news/index_"):
                body = list_page(int(path.rsplit("_", 1)[1].split(".")[0]), articles)
            else:
                body = article(int(path.rsplit("/", 1)[1].split(".")[0]))
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    server = serve(args.articles)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            ESGDATA_DATA_DIR=str(Path(tmp) / "data"),
            ESGDATA_FETCH_DELAY="0",
            ESGDATA_FETCH_MAX_PAGES=str(args.articles),
            ESGDATA_FETCH_DEPTH=str(args.articles // PER_LIST + 1),
        )
        from esgdata import fetch, store, users

        engine = store.connect(f"sqlite:///{Path(tmp) / 'bench.db'}")
        operator = users.User("cli:bench", "admin")
        fetch.add_source(engine, operator, f"{base}/news/")
        for label in ("first fetch", "re-fetch (conditional)"):
            start = time.perf_counter()
            report = fetch.fetch(engine, operator)
            seconds = time.perf_counter() - start
            result = report.sources[0]
            rate = result.requested / seconds
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{label}: {result.requested} articles in {seconds:.2f} s = {rate:.0f} pages/s; "
                f"{result.new} new, {result.unchanged} unchanged, {report.revalidated} of "
                f"{report.requests} requests answered 304; peak RSS {peak:.0f} MB"
            )
        totals = store.counts(engine)
        print(f"store: {totals['releases']} releases, {totals['commitments']} commitments")
    server.shutdown()


if __name__ == "__main__":
    main()
