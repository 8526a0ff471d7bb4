"""Accessible PDFs from HTML: tagged (PDF/UA-1), Swedish, titled, with bookmarks from the headings.

WeasyPrint writes the structure tree (headings, lists, tables with header cells, figures with
their alternative text), `/Lang`, `/MarkInfo` and the outline from `<h1>`–`<h6>`. Templates are
rendered by Jinja2 with autoescape on, so text from users and files is never markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGE = "sv-SE"
TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment(folder: str) -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader([folder, str(TEMPLATES)]),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    return env


def paragraphs(text: str | None) -> list[str]:
    """A stored text as its paragraphs (blank lines split them; single newlines are kept as spaces)."""
    if not text:
        return []
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    out: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        # A numbered or bulleted proposal keeps one paragraph per line.
        if len(lines) > 1 and all(line[:1].isdigit() or line[:1] in "-•" for line in lines):
            out += lines
        elif lines:
            out.append(" ".join(lines))
    return out


def render_html(template: str, folder: Path | None = None, **context: Any) -> str:
    """A template from `folder` (or the shared one) rendered with autoescape."""
    return str(_environment(str(folder or TEMPLATES)).get_template(template).render(**context))


def tagged_pdf(html: str, *, appended: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """The HTML as a tagged PDF/UA-1 document; `appended` PDFs (title, bytes) follow, bookmarked.

    An appended PDF keeps its own pages as they are (a scanned attachment is not re-tagged);
    one that cannot be read is left out and named by the caller's list of attachments instead.
    """
    import weasyprint

    document = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    assert document is not None
    if not appended:
        return bytes(document)
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    for title, content in appended:
        try:
            reader = PdfReader(io.BytesIO(content))
            first = len(writer.pages)
            for page in reader.pages:
                writer.add_page(page)
        except (PdfReadError, ValueError, KeyError, TypeError):
            continue
        if len(writer.pages) > first:
            writer.add_outline_item(f"Bilaga: {title}", first)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
