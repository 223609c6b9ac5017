"""Bytes to text: byte-order marks, strict UTF-8, then charset detection for legacy encodings."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..errors import ReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Names charset detection may give for Chinese text, mapped to the widest codec of the family.
_WIDEN = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "hz": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
}
# Single-byte Western codecs detection confuses on short text; cp1252 is the one in use.
_WESTERN = {
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1254",
    "cp1257",
    "latin_1",
    "iso8859_1",
    "iso8859_2",
    "iso8859_9",
    "iso8859_15",
    "mac_roman",
    "mac_latin2",
}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _plausible(text: str) -> float:
    """Share of characters that text is made of: letters, digits, punctuation, spaces, CJK."""
    if not text:
        return 0.0
    good = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return good / len(text)


def _utf16_without_bom(head: bytes) -> str | None:
    # Text in UTF-16 decodes cleanly in one byte order into printable characters; binary does not.
    best, best_score = None, 0.0
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            sample = head[: len(head) // 2 * 2].decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausible(sample)
        if score > best_score:
            best, best_score = codec, score
    return best if best_score >= 0.95 else None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding name) or raise ReadError saying why the bytes are not text."""
    if not data.strip():
        raise ReadError(name, "the file is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise ReadError(
                    name,
                    f"starts with a {codec} byte-order mark but is not valid {codec}: "
                    f"{exc.reason} at byte {exc.start}",
                ) from None
    head = data[:8192]
    if b"\x00" in head:
        codec16 = _utf16_without_bom(head)
        if codec16 is None:
            raise ReadError(name, "looks like a binary file (it contains NUL bytes), not text")
        try:
            return data.decode(codec16), codec16
        except UnicodeDecodeError as exc:
            raise ReadError(
                name, f"looks like {codec16} but is not valid: {exc.reason} at byte {exc.start}"
            ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(data):
            raise ReadError(
                name, "the file ends in the middle of a UTF-8 character: it looks truncated"
            ) from None
    else:
        return _checked(text, name), "utf-8"
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ReadError(name, "cannot tell which text encoding this file uses (it may be binary)")
    codec = _WIDEN.get(best.encoding.replace("_", "").lower(), best.encoding)
    if codec in _WESTERN:
        codec = "cp1252"
    try:
        return _checked(data.decode(codec), name), codec
    except UnicodeDecodeError:
        return _checked(str(best), name), best.encoding


def _checked(text: str, name: str) -> str:
    if len(_CONTROL.findall(text[:8192])) > max(8, len(text[:8192]) // 50):
        raise ReadError(name, "looks like a binary file (many control characters), not text")
    return text
