"""Tables sized to their text: line breaks that fit a column, reversible, and rows tall enough."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app import tables

WORDS = st.lists(
    st.text(st.characters(codec="utf-8", categories=("L", "N", "P")), min_size=1, max_size=30), max_size=40
)


@given(WORDS, st.integers(60, 600))
def test_wrapped_text_reads_back_and_every_line_fits(words: list[str], width: int) -> None:
    text = " ".join(words)
    wrapped = tables.wrap_text(text, width)
    assert tables.unwrap(wrapped) == " ".join(text.split())
    for line in wrapped.replace("\u200b", "").split("\n"):
        assert tables.text_px(line) <= width - tables.PADDING_PX or len(line) == 1


def test_english_breaks_at_spaces_and_chinese_between_characters() -> None:
    english = tables.wrap_text("CECEP will peak carbon emissions by 2028 and cut coal use by 30%", 200)
    assert "\n" in english and tables.SOFT_BREAK not in english
    chinese = tables.wrap_text("中国节能将力争2028年前实现碳达峰，到2030年新能源装机占比超过百分之五十", 200)
    assert tables.SOFT_BREAK in chinese


def test_a_row_is_tall_enough_for_its_lines_as_the_grid_spaces_them() -> None:
    assert tables.row_height(1) == 35
    assert tables.row_height(2) >= tables.MIN_WRAP_ROW  # the grid wraps only in rows over 64 px
    for lines in range(2, 13):
        assert tables.row_height(lines) >= 13 + 1.4 * 13 * (lines - 1) + 3


def test_a_very_long_cell_ends_in_an_ellipsis_within_the_line_limit() -> None:
    text = "word " * 400
    short = tables.shorten(text, 200)
    assert short.endswith("…") and short.count("\n") + 1 <= tables.MAX_LINES
