"""The pages of the app, in menu order, and a way to link to one of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import streamlit as st

from app.state import Source
from esgdata.analysis.query import Filters


@dataclass(frozen=True)
class PageSpec:
    """A page: its URL path, menu title, icon and the function that draws it."""

    url_path: str
    title: str
    icon: str
    render: Callable[[Source, Filters], None]


def specs() -> tuple[PageSpec, ...]:
    """Every page, in menu order (imported here so a page module can link to another)."""
    from app.commitments import render_commitments
    from app.download import render_download
    from app.overview import render_overview
    from app.releases import render_releases
    from app.review import render_review
    from app.sources import render_sources
    from app.threads import render_threads
    from app.timeline import render_timeline

    return (
        PageSpec("overview", "Overview", ":material/insights:", render_overview),
        PageSpec("timeline", "Timeline", ":material/timeline:", render_timeline),
        PageSpec("commitments", "Commitments", ":material/format_list_bulleted:", render_commitments),
        PageSpec("releases", "Releases", ":material/article:", render_releases),
        PageSpec("sources", "Sources", ":material/rss_feed:", render_sources),
        PageSpec("download", "Download", ":material/download:", render_download),
        PageSpec("threads", "Threads", ":material/conversion_path:", render_threads),
        PageSpec("review", "Review", ":material/rate_review:", render_review),
    )


def admin_specs() -> tuple[PageSpec, ...]:
    """Pages only admins see in the menu (the page checks the role again, and so does the library)."""
    from app.accounts import render_users

    return (PageSpec("users", "Users", ":material/manage_accounts:", render_users),)


def pages(src: Source, filters: Filters, *, start: str = "overview") -> list[st.Page]:
    """st.Page objects drawing each page for this run's store and filters; ``start`` is the default."""
    from app.accounts import admin

    shown = specs() + (admin_specs() if admin(src) is not None else ())
    return [
        st.Page(
            partial(s.render, src, filters),
            title=s.title,
            icon=s.icon,
            url_path=s.url_path,
            default=s.url_path == start,
        )
        for s in shown
    ]


def page(url_path: str) -> st.Page:
    """A page by URL path, for st.page_link and st.switch_page (matched by its path)."""
    spec = next(s for s in specs() + admin_specs() if s.url_path == url_path)
    return st.Page(lambda: None, title=spec.title, icon=spec.icon, url_path=spec.url_path)
