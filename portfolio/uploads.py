"""Bounded work per upload: each kind of file has a stated limit, checked before it is parsed.

The limits are far above what the committee's real files need (a risk workbook of a few
hundred risks is under 1 MB unpacked; a year of the committee's ledger is a few MB of SIE)
and far below what would let one upload exhaust the server's memory. An xlsx is a zip: its
uncompressed size is the sum of the sizes its directory states, read before anything is
unpacked, so a small file that unpacks to hundreds of MB is refused at once. Rows are
counted while they are read, and reading stops at the first row over the limit.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from portfolio.errors import ImportRejectedError

__all__ = [
    "LEDGER_LINES",
    "RISK_WORKBOOK",
    "SIE_FILE",
    "SURVEY_FILE",
    "UploadLimit",
    "capped_rows",
    "check_size",
    "check_xlsx",
]

MB = 1_000_000
T = TypeVar("T")


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",").removesuffix(",0") + " MB"


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


@dataclass(frozen=True)
class UploadLimit:
    """The most one upload of a kind may hold: bytes, unpacked bytes (xlsx) and rows."""

    what: str
    max_bytes: int
    max_rows: int | None = None
    max_unpacked: int | None = None

    @property
    def text(self) -> str:
        """The limit as the upload widget and the README state it."""
        rows = f" och {_count(self.max_rows)} rader" if self.max_rows else ""
        return f"Högst {_mb(self.max_bytes)}{rows}."


RISK_WORKBOOK = UploadLimit("Riskarbetsboken", 10 * MB, max_rows=5_000, max_unpacked=20 * MB)
SURVEY_FILE = UploadLimit("Enkätfilen", 5 * MB, max_rows=50_000, max_unpacked=40 * MB)
LEDGER_LINES = UploadLimit("Filen med rader", 20 * MB, max_rows=200_000, max_unpacked=100 * MB)
# The SIE reader streams line by line; the limit bounds the upload Streamlit holds in memory.
SIE_FILE = UploadLimit("SIE-filen", 150 * MB)


def check_size(limit: UploadLimit, size: int) -> None:
    """Refuse a file larger than the limit, before it is read."""
    if size > limit.max_bytes:
        raise ImportRejectedError(
            [f"{limit.what} är {_mb(size)}; högst {_mb(limit.max_bytes)} tas emot. Inget lästes in."]
        )


def check_xlsx(limit: UploadLimit, data: bytes) -> None:
    """Refuse a workbook whose file or unpacked size is over the limit, before it is opened.

    A file that is no zip at all passes: the reader then says what is wrong with it.
    """
    check_size(limit, len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if limit.max_unpacked is not None and unpacked > limit.max_unpacked:
            raise ImportRejectedError(
                [
                    f"{limit.what} packas upp till {_mb(unpacked)}; högst {_mb(limit.max_unpacked)}"
                    " tas emot. Inget lästes in."
                ]
            )
        if limit.max_rows is not None:
            for info in archive.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    # The header row comes on top of the data rows the limit counts.
                    _refuse_over(limit, _rows_in(archive, info) - 1)


def _rows_in(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """How many `<row` elements a sheet's XML holds, counted in chunks without parsing it."""
    count, tail = 0, b""
    try:
        with archive.open(info) as sheet:
            while chunk := sheet.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b"<row>")
                tail = data[-5:]
                count -= tail.count(b"<row ") + tail.count(b"<row>")
            count += tail.count(b"<row ") + tail.count(b"<row>")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return 0  # the reader says what is wrong with the file
    return count


def _refuse_over(limit: UploadLimit, rows: int) -> None:
    if limit.max_rows is not None and rows > limit.max_rows:
        raise ImportRejectedError(
            [
                f"{limit.what} har fler än {_count(limit.max_rows)} rader;"
                f" högst {_count(limit.max_rows)} tas emot. Inget lästes in."
            ]
        )


def capped_rows(limit: UploadLimit, rows: Iterable[T]) -> Iterator[T]:
    """The rows as they are read; ImportRejectedError at the first one over the limit."""
    if limit.max_rows is None:
        yield from rows
        return
    for count, row in enumerate(rows, start=1):
        _refuse_over(limit, count - 1)  # the header row comes on top of the data rows
        yield row
