"""Markdown releases: YAML front matter and the first heading give title and date."""

from __future__ import annotations

import yaml
from markdown_it import MarkdownIt

from ..models import Document
from .decode import decode

_MD = MarkdownIt("commonmark")


def _front_matter(source: str) -> tuple[dict[str, object], str]:
    if not source.startswith("---"):
        return {}, source
    head, sep, rest = source[3:].partition("\n---")
    if not sep:
        return {}, source
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError:
        return {}, source
    return (meta if isinstance(meta, dict) else {}), rest.partition("\n")[2]


def to_paragraphs(source: str) -> tuple[str, list[str]]:
    """(first heading, block texts) of a Markdown document, markup removed, link text kept."""
    title, blocks = "", list[str]()
    tokens = _MD.parse(source)
    for i, tok in enumerate(tokens):
        if tok.type != "inline":
            continue
        parts = []
        for child in tok.children or []:
            if child.type in {"text", "code_inline"}:
                parts.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                parts.append("\n")
        content = "".join(parts).strip()
        if not content:
            continue
        if tokens[i - 1].type == "heading_open" and not title and not blocks:
            title = content
        else:
            blocks.append(content)
    return title, blocks


def read(name: str, data: bytes) -> Document:
    """Markdown to the release text form (blocks separated by blank lines)."""
    source, encoding = decode(data, name)
    meta, source = _front_matter(source)
    title, blocks = to_paragraphs(source)
    meta_title = str(meta.get("title") or title or "")
    meta_date = str(meta.get("date") or "")
    return Document(name, "md", "\n\n".join(blocks), "", meta_title, meta_date, encoding)
