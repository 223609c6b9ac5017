"""Titles and dates of real-looking pages, PDFs and Word files: every one right, and scored."""

from __future__ import annotations

import pytest
from pages import Page, all_pages

from esgdata import readers
from esgdata.readers.release import parse_release

PAGES = all_pages()


def _read(page: Page) -> tuple[str, str, tuple[str, ...]]:
    release = parse_release(readers.read_bytes(page.name, page.data, max_bytes=20_000_000))
    return release.title, release.date, release.warnings


def test_the_set_covers_every_style_the_readers_meet() -> None:
    names = [p.name for p in PAGES]
    assert len(PAGES) >= 30
    assert {n.rsplit(".", 1)[1] for n in names} == {"html", "pdf", "docx"}
    assert (
        any("gb18030" in n for n in names)
        and any("lying" in n for n in names)
        and any("big5" in n for n in names)
    )
    assert sum(not p.date for p in PAGES) >= 3, "pages without a publication date are part of the set"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_page_gives_its_own_title_and_publication_date(page: Page) -> None:
    title, date, warnings = _read(page)
    assert (title, date) == (page.title, page.date)
    if not page.date:
        assert any("no date" in w for w in warnings), "a page without a date says so"


def test_title_and_date_accuracy_on_the_whole_set_is_one() -> None:
    results = [_read(page) for page in PAGES]
    title_accuracy = sum(r[0] == p.title for r, p in zip(results, PAGES, strict=True)) / len(PAGES)
    date_accuracy = sum(r[1] == p.date for r, p in zip(results, PAGES, strict=True)) / len(PAGES)
    assert (title_accuracy, date_accuracy) == (1.0, 1.0)
