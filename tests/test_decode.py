"""Bytes to text: byte-order marks, UTF-8, UTF-16 and the legacy Chinese and Western codecs."""

from __future__ import annotations

import codecs
import random

import pytest

from esgdata.errors import ReadError
from esgdata.readers.decode import decode

ENGLISH = (
    "CECEP\u2019s chairman said the group will reach \u201cnet zero\u201d by 2050 \u2014 a goal "
    "shared with partners in S\u00e3o Paulo and Z\u00fcrich. The group\u2019s r\u00e9sum\u00e9 of "
    "green projects was praised by the caf\u00e9 owners\u2019 association."
)
PLAIN_ENGLISH = "CECEP will reach net zero carbon emissions by 2050, the group said on Friday."
CHINESE = (
    "中国节能环保集团有限公司在北京召开绿色发展大会，集团党委书记、董事长宋鑫出席会议并讲话。"
    "宋鑫强调，中国节能要始终坚持生态优先、绿色发展，力争到2030年实现碳达峰。"
    "会议指出，集团将全面推进碳达峰碳中和工作，为建设美丽中国作出新的更大贡献。"
)
TRADITIONAL = (
    "中國節能環保集團有限公司在北京召開綠色發展大會，集團黨委書記、董事長宋鑫出席會議並講話。"
    "宋鑫強調，中國節能要始終堅持生態優先、綠色發展，力爭到2030年實現碳達峰。"
    "會議指出，集團將全面推進碳達峰碳中和工作，為建設美麗中國作出新的更大貢獻。"
)


@pytest.mark.parametrize(
    ("data", "original"),
    [
        pytest.param(ENGLISH.encode("utf-8"), ENGLISH, id="utf-8 english"),
        pytest.param(CHINESE.encode("utf-8"), CHINESE, id="utf-8 chinese"),
        pytest.param(codecs.BOM_UTF8 + ENGLISH.encode("utf-8"), ENGLISH, id="utf-8 with bom"),
        pytest.param(codecs.BOM_UTF8 + CHINESE.encode("utf-8"), CHINESE, id="utf-8 chinese bom"),
        pytest.param(codecs.BOM_UTF16_LE + ENGLISH.encode("utf-16-le"), ENGLISH, id="utf-16-le bom"),
        pytest.param(codecs.BOM_UTF16_BE + ENGLISH.encode("utf-16-be"), ENGLISH, id="utf-16-be bom"),
        pytest.param(codecs.BOM_UTF16_LE + CHINESE.encode("utf-16-le"), CHINESE, id="utf-16-le chinese bom"),
        pytest.param(codecs.BOM_UTF16_BE + CHINESE.encode("utf-16-be"), CHINESE, id="utf-16-be chinese bom"),
        pytest.param(ENGLISH.encode("utf-16-le"), ENGLISH, id="utf-16-le without bom"),
        pytest.param(ENGLISH.encode("utf-16-be"), ENGLISH, id="utf-16-be without bom"),
        pytest.param(CHINESE.encode("utf-16-le"), CHINESE, id="utf-16-le chinese without bom"),
        pytest.param(CHINESE.encode("gbk"), CHINESE, id="gbk"),
        pytest.param(CHINESE.encode("gb18030"), CHINESE, id="gb18030"),
        pytest.param(CHINESE.encode("gb2312"), CHINESE, id="gb2312"),
        pytest.param(TRADITIONAL.encode("big5"), TRADITIONAL, id="big5"),
        pytest.param(ENGLISH.encode("cp1252"), ENGLISH, id="windows-1252"),
        pytest.param(PLAIN_ENGLISH.encode("ascii"), PLAIN_ENGLISH, id="ascii"),
    ],
)
def test_text_in_any_supported_encoding_decodes_to_the_original(data: bytes, original: str) -> None:
    text, encoding = decode(data, "release.txt")
    assert text == original
    assert encoding  # the encoding used is reported, whatever name detection gives it


@pytest.mark.parametrize(
    ("original", "codec"),
    [
        ("中国节能将坚持绿色发展。", "gbk"),
        ("中國節能將堅持綠色發展。", "big5"),
        ("The \u201cgreen\u201d caf\u00e9\u2019s menu.", "cp1252"),
    ],
)
def test_a_single_short_sentence_in_a_legacy_encoding_decodes(original: str, codec: str) -> None:
    text, _ = decode(original.encode(codec), "short.txt")
    assert text == original


def test_a_byte_order_mark_is_not_part_of_the_text() -> None:
    text, _ = decode(codecs.BOM_UTF8 + b"Title", "bom.txt")
    assert text == "Title"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b" \r\n\t \n", "empty", id="only white space"),
        pytest.param(random.Random(0).randbytes(4096), "binary", id="random bytes"),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(2000),
            "binary",
            id="png image",
        ),
        pytest.param(CHINESE.encode("utf-8")[:-1], "truncated", id="truncated utf-8 chinese"),
        pytest.param((ENGLISH + "\u201d").encode("utf-8")[:-1], "truncated", id="truncated utf-8 quote"),
    ],
)
def test_bytes_that_are_not_text_raise_a_read_error_saying_why(data: bytes, says: str) -> None:
    with pytest.raises(ReadError) as caught:
        decode(data, "broken.txt")
    message = str(caught.value)
    assert "broken.txt" in message
    assert says in message
    assert caught.value.path == "broken.txt"


def test_a_utf8_bom_followed_by_invalid_bytes_is_an_error_not_mojibake() -> None:
    with pytest.raises(ReadError, match=r"bad\.txt: .*byte-order mark"):
        decode(codecs.BOM_UTF8 + b"abc \xff\xfe def", "bad.txt")
