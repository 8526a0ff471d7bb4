"""Streaming reader for SIE 4 accounting exports: vouchers, balances and problems in Swedish.

The reader holds one voucher at a time, so memory does not grow with the file. Amounts are
integer öre parsed without floats. Every problem names its line; a problem of severity "fel"
means the file's money cannot be trusted, "varning" means it can but something deserves a look.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Literal

from portfolio.money import MAX_KRONOR, MAX_ORE, format_number

__all__ = [
    "STANDARD_DIMENSIONS",
    "Balance",
    "ChecksumResult",
    "PeriodBalance",
    "SieFile",
    "SieHeader",
    "SieProblem",
    "SieReader",
    "TransRow",
    "Voucher",
    "detect_encoding",
    "read_all",
    "verify_checksum",
]

Severity = Literal["fel", "varning"]
TransKind = Literal["TRANS", "RTRANS", "BTRANS"]
BalanceKind = Literal["IB", "UB", "RES", "OIB", "OUB"]
PeriodKind = Literal["PSALDO", "PBUDGET"]
Objects = tuple[tuple[str, str], ...]
Progress = Callable[[int, int], None]

CHUNK_SIZE = 64 * 1024
# Larger than a chunk so the byte statistics behind the encoding guess are meaningful.
SAMPLE_SIZE = 256 * 1024
# A "line" this long means the file is not SIE; stopping keeps memory bounded.
MAX_LINE_BYTES = 4 * 1024 * 1024
# Per-line encoding remarks are capped so a wholly mixed file cannot flood the list.
MAX_ENCODING_NOTES = 20

# SIE reserves dimensions 1–19, but only cost centre (1) and project (6) are used without a
# #DIM line in practice; any other dimension must be declared or it is probably a typo.
STANDARD_DIMENSIONS = frozenset({"1", "6"})

_BOM = b"\xef\xbb\xbf"
_LATIN1_SWEDISH = b"\xe5\xe4\xf6\xc5\xc4\xd6"  # å ä ö Å Ä Ö in Latin-1 / Windows-1252
_CP437_SWEDISH = b"\x86\x84\x94\x8f\x8e\x99"  # å ä ö Å Ä Ö in CP437 (PC8)
_DECLARED_ENCODINGS = {"PC8": "cp437"}
_ENCODING_NAMES = {"utf-8": "UTF-8", "latin-1": "Latin-1 (Windows-1252)", "cp437": "CP437 (PC8)"}

_FORMAT_RE = re.compile(rb'^[ \t]*#FORMAT[ \t]+"?([^\s"]+)', re.MULTILINE)
# CP437 box-drawing bytes never occur in Swedish accounting text; seeing one means a Latin-1
# letter slipped into a PC8 file.
_BOX_DRAWING_RE = re.compile(rb"[\xb0-\xdf]")
_AMOUNT_RE = re.compile(r"([-+]?)([0-9]*)(?:\.([0-9]{1,2}))?", re.ASCII)
_DECIMALS_RE = re.compile(r"[-+]?[0-9]*\.[0-9]{3,}", re.ASCII)
_QUANTITY_RE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_INT_RE = re.compile(r"[-+]?[0-9]+", re.ASCII)

# A line without these bytes is certainly in the file's own 8-bit encoding, so the slower
# per-line checks (UTF-8? the other 8-bit code page? mixed?) can be skipped. For CP437 that is
# every byte from 0xB0: box drawing and Greek never occur in Swedish text, and UTF-8 lead bytes
# live there too. For Latin-1 it is CP437's Swedish letters and anything that could be UTF-8.
_QUICK_DECODE: dict[str, tuple[re.Pattern[bytes], str]] = {
    "cp437": (re.compile(rb"[\xb0-\xff]"), "cp437"),
    # cp1252's five undefined bytes (0x81 0x8D 0x8F 0x90 0x9D) are here too, so the quick
    # cp1252 decode cannot fail.
    "latin-1": (
        re.compile(rb"[\x81\x84\x86\x8d\x8e\x8f\x90\x94\x99\x9d]|[\xc2-\xf4][\x80-\xbf]"),
        "cp1252",
    ),
}
_TRANS_KINDS: dict[str, TransKind] = {"#TRANS": "TRANS", "#RTRANS": "RTRANS", "#BTRANS": "BTRANS"}
_IGNORED_LABELS = frozenset(
    {"#FLAGGA", "#ADRESS", "#FNR", "#FTYP", "#TAXAR", "#ENHET", "#KSUMMA", "#PROSA", "#BKOD"}
    | {"#OMFATTN", "#BTYP"}
)
# Labels whose fields carry the money portfolj sums (or date it): an unreadable one refuses the
# file. #IB, #UB, #RES, #OIB, #OUB and #RAR are only checked against the #TRANS sums, so an
# unreadable one is a warning with its line number.
_MONEY_LABELS = frozenset({"#VER", "#PSALDO", "#PBUDGET"} | set(_TRANS_KINDS))
_CACHE_LIMIT = 4096


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class SieProblem:
    """One problem in a file, in Swedish, tied to the line it was found on."""

    line: int
    severity: Severity
    message: str
    # A stable key so callers can act on a kind of problem without parsing Swedish text.
    code: str = ""


@dataclass(frozen=True, slots=True)
class TransRow:
    """One #TRANS, #RTRANS or #BTRANS row of a voucher; only kind "TRANS" counts as money."""

    account: str
    objects: Objects
    amount_ore: int
    date: dt.date | None
    text: str
    quantity: Decimal | None
    kind: TransKind
    line: int = 0


# A frozen dataclass __init__ sets every field through object.__setattr__. Calling the slot
# descriptors directly builds an identical row (equal, hashable, still frozen) in half the time,
# which is about a tenth of the cost of a #TRANS line on the hot path.
_new_object = object.__new__
_SET_ROW = tuple(TransRow.__dict__[f.name].__set__ for f in dataclasses.fields(TransRow))
(
    _set_account,
    _set_objects,
    _set_amount,
    _set_date,
    _set_text,
    _set_quantity,
    _set_kind,
    _set_line,
) = _SET_ROW


def _new_trans_row(
    account: str,
    objects: Objects,
    amount_ore: int,
    date: dt.date | None,
    text: str,
    quantity: Decimal | None,
    kind: TransKind,
    line: int,
) -> TransRow:
    """TransRow(...) without the frozen-dataclass __init__ overhead."""
    row: TransRow = _new_object(TransRow)
    _set_account(row, account)
    _set_objects(row, objects)
    _set_amount(row, amount_ore)
    _set_date(row, date)
    _set_text(row, text)
    _set_quantity(row, quantity)
    _set_kind(row, kind)
    _set_line(row, line)
    return row


@dataclass(frozen=True, slots=True)
class Voucher:
    """A #VER with its rows; RTRANS/BTRANS rows are kept for display but never summed."""

    series: str
    number: str
    date: dt.date | None
    text: str
    line: int
    rows: tuple[TransRow, ...]

    @property
    def trans_rows(self) -> tuple[TransRow, ...]:
        """The rows that carry money: #TRANS only."""
        return tuple(row for row in self.rows if row.kind == "TRANS")

    @property
    def trans_sum_ore(self) -> int:
        """Sum of the #TRANS rows in öre; zero for a balanced voucher."""
        return sum(row.amount_ore for row in self.rows if row.kind == "TRANS")

    @property
    def is_balanced(self) -> bool:
        """True when the #TRANS rows sum to zero."""
        return self.trans_sum_ore == 0


@dataclass(frozen=True, slots=True)
class Balance:
    """An #IB, #UB, #RES, #OIB or #OUB balance for an account (and objects) in one year."""

    kind: BalanceKind
    year_index: int
    account: str
    objects: Objects
    amount_ore: int
    quantity: Decimal | None
    line: int


@dataclass(frozen=True, slots=True)
class PeriodBalance:
    """A #PSALDO or #PBUDGET amount for an account in one month ('YYYYMM')."""

    kind: PeriodKind
    year_index: int
    period: str
    account: str
    objects: Objects
    amount_ore: int
    quantity: Decimal | None
    line: int

    @property
    def is_total(self) -> bool:
        """True for an empty object list: the row repeats the per-object rows, never add both."""
        return not self.objects


@dataclass(frozen=True, slots=True)
class SieHeader:
    """Facts about the company and its chart of accounts, collected while reading."""

    format: str | None = None
    sie_type: str | None = None
    program: str | None = None
    program_version: str | None = None
    generated: dt.date | None = None
    company_name: str | None = None
    org_no: str | None = None
    currency: str | None = None
    chart_type: str | None = None
    # #RAR: year index (0 = current, -1 = previous) → (first day, last day).
    fiscal_years: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)
    # #UNDERDIM: dimension → its superior dimension.
    subdimensions: dict[str, str] = field(default_factory=dict)
    objects: dict[tuple[str, str], str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    account_types: dict[str, str] = field(default_factory=dict)
    sru: dict[str, str] = field(default_factory=dict)
    # Labels this reader does not know, with how often they occurred; they are otherwise ignored.
    unknown_labels: dict[str, int] = field(default_factory=dict)


Record = Voucher | Balance | PeriodBalance


@dataclass(frozen=True, slots=True)
class SieFile:
    """A whole SIE file in memory; for tests and small files, use SieReader for large ones."""

    header: SieHeader
    vouchers: tuple[Voucher, ...]
    balances: tuple[Balance, ...]
    period_balances: tuple[PeriodBalance, ...]
    problems: tuple[SieProblem, ...]
    encoding: str

    @property
    def errors(self) -> tuple[SieProblem, ...]:
        """Problems of severity "fel": the file's money cannot be trusted."""
        return tuple(p for p in self.problems if p.severity == "fel")

    @property
    def warnings(self) -> tuple[SieProblem, ...]:
        """Problems of severity "varning"."""
        return tuple(p for p in self.problems if p.severity == "varning")

    @property
    def has_errors(self) -> bool:
        """True when any problem is a "fel"."""
        return any(p.severity == "fel" for p in self.problems)


# ---------------------------------------------------------------------------------------------
# Encoding


def _count(data: bytes, alphabet: bytes) -> int:
    return sum(data.count(alphabet[i : i + 1]) for i in range(len(alphabet)))


def _guess_8bit(data: bytes, default: str) -> str:
    latin = _count(data, _LATIN1_SWEDISH)
    pc8 = _count(data, _CP437_SWEDISH)
    if latin > pc8:
        return "latin-1"
    if pc8 > latin:
        return "cp437"
    return default


def _declared_encoding(declared: str | None) -> str:
    return _DECLARED_ENCODINGS.get((declared or "PC8").strip().upper(), "cp437")


def detect_encoding(sample: bytes, declared: str | None) -> str:
    """Guess "utf-8", "latin-1" or "cp437" for a file from a sample of its bytes."""
    fallback = _declared_encoding(declared)
    if sample.isascii():
        return fallback
    try:
        # final=False: a sample cut in the middle of a UTF-8 sequence is still UTF-8.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return _guess_8bit(sample, fallback)
    return "utf-8"


def _decode_8bit(raw: bytes, encoding: str) -> str:
    if encoding == "latin-1":
        # Swedish "Latin-1" files come from Windows, so cp1252 gives – and € right; its five
        # undefined bytes fall back to ISO 8859-1.
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return raw.decode(encoding)


def _encoding_name(encoding: str) -> str:
    return _ENCODING_NAMES.get(encoding, encoding)


# ---------------------------------------------------------------------------------------------
# Field splitting

Field = str | tuple[str, ...]


class _LineError(Exception):
    """A line that cannot be read; the message is Swedish and lacks the 'Rad N: ' prefix."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _fields(text: str) -> list[Field]:
    """Split a line's arguments into fields; an object list `{…}` becomes one tuple field."""
    if '\\"' in text:
        return _fields_slow(text)
    segments = text.split('"')
    if not len(segments) & 1:
        return _fields_slow(text)
    fields: list[Field] = []
    objs: list[str] | None = None
    quoted = False
    for seg in segments:
        if quoted:
            (fields if objs is None else objs).append(seg)
        elif seg:
            if "{" in seg or "}" in seg:
                for tok in seg.replace("{", " { ").replace("}", " } ").split():
                    if tok == "{":
                        if objs is not None:
                            raise _LineError("objektlistan innehåller en inre '{'", "objektlista")
                        objs = []
                    elif tok == "}":
                        if objs is None:
                            raise _LineError("'}' utan föregående '{'", "objektlista")
                        fields.append(tuple(objs))
                        objs = None
                    else:
                        (fields if objs is None else objs).append(tok)
            else:
                (fields if objs is None else objs).extend(seg.split())
        quoted = not quoted
    if objs is not None:
        raise _LineError(_unclosed_message(text), "objektlista")
    return fields


def _unclosed_message(text: str) -> str:
    start = text.find("{")
    shown = text[start:] if start >= 0 else text
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return f"objektlistan '{shown}' avslutas aldrig med '}}'"


def _fields_slow(text: str) -> list[Field]:
    """Character-by-character split that understands `\\"` inside quotes."""
    fields: list[Field] = []
    objs: list[str] | None = None
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \t":
            i += 1
            continue
        target = fields if objs is None else objs
        if ch == '"':
            i += 1
            buf: list[str] = []
            while i < n:
                ch = text[i]
                # A backslash before the line's last quote is taken literally: otherwise a
                # text ending in a backslash, such as "C:\", would never end.
                if ch == "\\" and i + 1 < n and text[i + 1] == '"' and '"' in text[i + 2 :]:
                    buf.append('"')
                    i += 2
                    continue
                if ch == '"':
                    break
                buf.append(ch)
                i += 1
            else:
                raise _LineError("ett citattecken avslutas aldrig", "citattecken")
            i += 1
            target.append("".join(buf))
        elif ch == "{":
            if objs is not None:
                raise _LineError("objektlistan innehåller en inre '{'", "objektlista")
            objs = []
            i += 1
        elif ch == "}":
            if objs is None:
                raise _LineError("'}' utan föregående '{'", "objektlista")
            fields.append(tuple(objs))
            objs = None
            i += 1
        else:
            start = i
            while i < n and text[i] not in ' \t{}"':
                i += 1
            target.append(text[start:i])
    if objs is not None:
        raise _LineError(_unclosed_message(text), "objektlista")
    return fields


# ---------------------------------------------------------------------------------------------
# Values


def _not_sie(sample: bytes) -> tuple[str, str] | None:
    """(message, code) when the file's start shows it cannot be read as SIE 4 text at all."""
    again = " Spara den som SIE 4 (teckenkodning PC8 eller UTF-8) och importera igen."
    # UTF-16 without its mark: every other byte is NUL (ASCII text), the bytes between are not.
    zeros = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(sample) >= 8 and zeros[1] > len(sample) // 4 and zeros[0] < len(sample) // 32
    ):
        return "Filen är sparad som UTF-16 (Unicode) och kan inte läsas som SIE." + again, "utf-16"
    if b"\n" not in sample and sample.count(b"\r") > 1:
        return (
            "Filens rader slutar med bara CR (vagnretur, som i gamla Mac-filer); SIE 4 kräver"
            " radslut CR LF eller LF." + again,
            "radslut",
        )
    if b"\x00" in sample or not sample.lstrip().startswith(b"#"):
        return (
            "Filen är ingen SIE-fil: i en SIE 4-fil är varje rad text som börjar med #"
            " (#FLAGGA, #RAR, #VER …), men den här filen börjar inte så. Kontrollera att du valt"
            " exporten från ekonomisystemet (SIE typ 4).",
            "ingen-sie",
        )
    return None


def _parse_ore(text: str) -> int:
    """Kronor text such as '-1234.5' to integer öre, with integer arithmetic only; at most ±MAX_KRONOR."""
    # Fast route for the usual "-1234.50"; isascii() because isdigit() also accepts '²' and '٣'.
    # The length check keeps int() away from a thousand-digit number (and its limit).
    if len(text) <= 20:
        if text[-3:-2] == ".":
            digits = text.replace(".", "", 1)
            if (digits[1:] if digits[:1] == "-" else digits).isdigit() and digits.isascii():
                return _bounded(int(digits), text)
        elif text.isdigit() and text.isascii():
            return _bounded(int(text) * 100, text)
    return _parse_ore_slow(text)


def _bounded(ore: int, text: str) -> int:
    if -MAX_ORE <= ore <= MAX_ORE:
        return ore
    shown = text if len(text) <= 30 else f"{text[:20]}…"
    raise _LineError(
        f"beloppet {shown} är utanför det högsta tillåtna, ±{format_number(MAX_KRONOR)} kr", "belopp-gräns"
    )


def _parse_ore_slow(text: str) -> int:
    m = _AMOUNT_RE.fullmatch(text)
    if m is None or not (m.group(2) or m.group(3)):
        if "," in text:
            raise _LineError(f"beloppet '{text}' har decimalkomma; SIE använder punkt", "belopp-komma")
        if _DECIMALS_RE.fullmatch(text):
            raise _LineError(f"beloppet '{text}' har fler än två decimaler", "belopp-decimaler")
        raise _LineError(f"'{text}' kan inte läsas som belopp", "belopp")
    sign, whole, frac = m.groups()
    if len(whole.lstrip("0")) > len(str(MAX_KRONOR)):
        return _bounded(MAX_ORE + 1, text)  # far beyond the bound: not converted at all
    ore = int(whole or "0") * 100
    if frac:
        ore += int(frac) * (10 if len(frac) == 1 else 1)
    return _bounded(-ore if sign == "-" else ore, text)


def _format_kr(ore: int) -> str:
    sign = "−" if ore < 0 else ""
    kr, rest = divmod(abs(ore), 100)
    return f"{sign}{kr:,}".replace(",", "\u202f") + f",{rest:02d} kr"


# ---------------------------------------------------------------------------------------------
# Reader


@dataclass(slots=True)
class _OpenVoucher:
    """The voucher being read: mutable until its closing '}' turns it into a Voucher."""

    series: str
    number: str
    date: dt.date | None
    text: str
    line: int
    rows: list[TransRow] = field(default_factory=list)
    opened: bool = False
    unreadable_rows: bool = False


class SieReader:
    """Read a SIE 4 file as a stream of Voucher, Balance and PeriodBalance records."""

    def __init__(self, source: str | os.PathLike[str] | BinaryIO, *, progress: Progress | None = None):
        """Prepare to read `source` (a path or a binary file); `progress(done, total)` per chunk."""
        self._source = source
        self._progress = progress
        self.problems: list[SieProblem] = []
        self.encoding: str = "cp437"
        self._header = SieHeader()
        self._started = False
        self._declared: str | None = None
        self._format_line = 1
        self._declared_checked = False
        self._encoding_decided = False
        # (bytes that need a closer look, codec) for lines that are plainly in the file's encoding.
        self._quick_decode: tuple[re.Pattern[bytes], str] | None = None
        self._encoding_notes = 0
        self._encoding_notes_suppressed = 0
        self._first_suppressed_line = 0
        self._voucher: _OpenVoucher | None = None
        # The open voucher's row list while between its braces, else None.
        self._rows: list[TransRow] | None = None
        self._date_cache: dict[str, dt.date] = {}
        self._objects_cache: dict[tuple[str, ...], Objects] = {}
        self._undeclared_dims: set[str] = set()

    # -- public -------------------------------------------------------------------------------

    @property
    def header(self) -> SieHeader:
        """Header facts read so far; complete once iteration has finished."""
        return self._header

    @property
    def has_errors(self) -> bool:
        """True when any problem so far is a "fel"."""
        return any(p.severity == "fel" for p in self.problems)

    @property
    def encoding_message(self) -> str:
        """A Swedish sentence saying which encoding was used and what #FORMAT declared."""
        used = _encoding_name(self.encoding)
        if self._declared is None:
            return f"Filen lästes som {used}; den anger inget #FORMAT."
        expected = _declared_encoding(self._declared)
        if expected == self.encoding:
            return f"Filen lästes som {used}, som dess #FORMAT {self._declared} anger."
        return (
            f"Filen lästes som {used}, trots att dess #FORMAT {self._declared} "
            f"anger {_encoding_name(expected)}."
        )

    def __iter__(self) -> Iterator[Record]:
        """Yield records in file order; a voucher is yielded when its closing '}' is read."""
        if self._started:
            raise RuntimeError("En SieReader kan bara läsas en gång; skapa en ny.")
        self._started = True
        source = self._source
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            with path.open("rb") as fh:
                yield from self._read(fh, path.stat().st_size)
        else:
            yield from self._read(source, _remaining_size(source))

    # -- reading ------------------------------------------------------------------------------

    def _read(self, fh: BinaryIO, total: int) -> Iterator[Record]:
        sample = fh.read(SAMPLE_SIZE)
        if not isinstance(sample, bytes):
            raise TypeError("SieReader behöver en binär fil (öppnad med 'rb').")
        done = len(sample)
        if sample.startswith(_BOM):
            sample = sample[len(_BOM) :]
        not_sie = _not_sie(sample)
        if not_sie is not None:
            self.problems.append(SieProblem(1, "fel", not_sie[0], not_sie[1]))
            return
        self._start_encoding(sample)
        progress = self._progress
        if progress is not None:
            progress(done, total)

        handle = self._handle
        trans_row = self._trans_row
        pending = b""
        data = sample
        line_no = 0
        while True:
            if data:
                buf = pending + data if pending else data
                cut = buf.rfind(b"\n") + 1
                block, pending = buf[:cut], buf[cut:]
            elif pending:
                block, pending = pending, b""
            else:
                break
            for text in self._decode_lines(block, line_no):
                line_no += 1
                text = text.strip()
                if self._rows is not None:
                    # The hot path, kept out of _handle: a plain #TRANS inside a voucher.
                    if text[:7] == "#TRANS ":
                        try:
                            self._rows.append(trans_row("TRANS", text[7:], line_no))
                        except _LineError as exc:
                            self._unreadable_row("#TRANS", exc, line_no)
                        continue
                    if text == "}":
                        yield self._close_voucher(line_no)
                        continue
                record = handle(text, line_no)
                if record is not None:
                    yield record
            if len(pending) > MAX_LINE_BYTES:
                self._problem(
                    line_no + 1,
                    "fel",
                    "raden är orimligt lång (över 4 MiB); filen är troligen inte en SIE-fil "
                    "och läses inte vidare",
                    "för-lång-rad",
                )
                break
            if not data:
                break
            data = fh.read(CHUNK_SIZE)
            if data:
                done += len(data)
                if progress is not None:
                    progress(done, total)
        self._finish(line_no)

    def _decode_lines(self, block: bytes, line_no: int) -> list[str]:
        """Decode a block of whole lines, all at once when no line needs a closer look."""
        if not block:
            return []
        if block.endswith(b"\n"):
            block = block[:-1]
        if block.isascii():
            return block.decode("ascii").split("\n")
        quick = self._quick_decode
        if quick is not None and quick[0].search(block) is None:
            return block.decode(quick[1]).split("\n")
        if self._encoding_decided and self.encoding == "utf-8":
            try:
                return block.decode("utf-8").split("\n")
            except UnicodeDecodeError:
                pass
        decode = self._decode
        return [
            raw.decode("ascii") if raw.isascii() else decode(raw, line_no + i)
            for i, raw in enumerate(block.split(b"\n"), start=1)
        ]

    def _start_encoding(self, sample: bytes) -> None:
        m = _FORMAT_RE.search(sample)
        if m is not None:
            self._declared = m.group(1).decode("ascii", "replace")
            self._format_line = sample.count(b"\n", 0, m.start()) + 1
        if sample.isascii():
            # Nothing to go on yet: the first non-ASCII line decides.
            self.encoding = _declared_encoding(self._declared)
        else:
            self._set_encoding(detect_encoding(sample, self._declared))

    def _set_encoding(self, encoding: str) -> None:
        self.encoding = encoding
        self._encoding_decided = True
        self._quick_decode = _QUICK_DECODE.get(encoding)
        self._check_declared()

    def _check_declared(self) -> None:
        """Warn, once, when the encoding in use is not the one #FORMAT declares."""
        if self._declared is None or self._declared_checked:
            return
        self._declared_checked = True
        encoding = self.encoding
        expected = _DECLARED_ENCODINGS.get(self._declared.upper())
        if expected is None:
            self._problem(
                self._format_line,
                "varning",
                f"okänt #FORMAT '{self._declared}'; filen läses som {_encoding_name(encoding)}",
                "kodning",
            )
        elif expected != encoding:
            self._problem(
                self._format_line,
                "varning",
                f"filen anger #FORMAT {self._declared} ({_encoding_name(expected)}) men är kodad "
                f"som {_encoding_name(encoding)}; den läses som {_encoding_name(encoding)}",
                "kodning",
            )

    def _decode(self, raw: bytes, line_no: int) -> str:
        """Decode one non-ASCII line, by itself if it differs from the rest of the file."""
        quick = self._quick_decode
        if quick is not None and quick[0].search(raw) is None:
            return raw.decode(quick[1])
        try:
            text = raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            default = self.encoding if self.encoding != "utf-8" else "cp437"
            encoding = _guess_8bit(raw, default)
            text = _decode_8bit(raw, encoding)
        if not self._encoding_decided:
            self._set_encoding(encoding)
        elif encoding != self.encoding:
            self._encoding_note(
                line_no,
                f"raden är kodad som {_encoding_name(encoding)} medan filen i övrigt är "
                f"{_encoding_name(self.encoding)}; raden läses som {_encoding_name(encoding)}",
            )
        if encoding == "cp437":
            m = _BOX_DRAWING_RE.search(raw)
            if m is not None:
                byte = m.group(0)
                self._encoding_note(
                    line_no,
                    f"tecknet '{byte.decode('cp437')}' (byte 0x{byte[0]:02X}) ser felkodat ut; "
                    f"i Latin-1 vore det '{byte.decode('latin-1')}'. Raden blandar troligen "
                    "teckenkodningar – kontrollera texten",
                )
        return text

    def _encoding_note(self, line_no: int, message: str) -> None:
        if self._encoding_notes < MAX_ENCODING_NOTES:
            self._encoding_notes += 1
            self._problem(line_no, "varning", message, "blandad-kodning")
        else:
            if not self._encoding_notes_suppressed:
                self._first_suppressed_line = line_no
            self._encoding_notes_suppressed += 1

    def _finish(self, last_line: int) -> None:
        voucher = self._voucher
        if voucher is not None:
            what = "avslutas aldrig med '}'" if voucher.opened else "följs aldrig av '{'"
            self._problem(
                voucher.line,
                "fel",
                f"verifikation {_voucher_name(voucher)} {what}; filen slutar på rad {last_line} "
                "och verkar avkortad",
                "avkortad",
            )
            self._voucher = None
            self._rows = None
        if self._encoding_notes_suppressed:
            self._problem(
                self._first_suppressed_line,
                "varning",
                f"ytterligare {self._encoding_notes_suppressed} rader från och med denna har "
                "avvikande teckenkodning",
                "blandad-kodning",
            )

    # -- lines --------------------------------------------------------------------------------

    def _problem(self, line: int, severity: Severity, message: str, code: str) -> None:
        self.problems.append(SieProblem(line, severity, f"Rad {line}: {message}.", code))

    def _handle(self, text: str, line_no: int) -> Record | None:
        """Act on one decoded line; return a record when one is complete."""
        text = text.strip()
        if not text:
            return None
        first = text[0]
        if first != "#":
            if first == "{":
                self._open_brace(line_no)
            elif first == "}":
                return self._close_brace(line_no)
            return None
        label, _, rest = text.partition(" ")
        if "\t" in label:
            label, _, more = label.partition("\t")
            rest = f"{more} {rest}"
        kind = _TRANS_KINDS.get(label)
        if kind is None and label not in _HANDLERS:
            label = label.upper()
            kind = _TRANS_KINDS.get(label)
        if kind is not None:
            rows = self._rows
            if rows is None:
                self._trans_outside(kind, line_no)
                return None
            try:
                rows.append(self._trans_row(kind, rest, line_no))
            except _LineError as exc:
                self._unreadable_row(label, exc, line_no)
            return None
        handler = _HANDLERS.get(label)
        if handler is None:
            if label not in _IGNORED_LABELS:
                self._note_unknown(label)
            return None
        try:
            return handler(self, rest, line_no)
        except _LineError as exc:
            # Only lines that carry money or place it in time make the money untrustworthy.
            severity: Severity = "fel" if label in _MONEY_LABELS else "varning"
            self._problem(line_no, severity, _line_message(label, exc), exc.code)
            return None

    def _unreadable_row(self, label: str, exc: _LineError, line_no: int) -> None:
        # The voucher's balance is not checked then: its sum would be wrong for a known reason.
        if self._voucher is not None:
            self._voucher.unreadable_rows = True
        self._problem(line_no, "fel", _line_message(label, exc), exc.code)

    def _note_unknown(self, label: str) -> None:
        unknown = self._header.unknown_labels
        unknown[label] = unknown.get(label, 0) + 1

    def _open_brace(self, line_no: int) -> None:
        voucher = self._voucher
        if voucher is None:
            self._problem(line_no, "varning", "'{' utan föregående #VER ignoreras", "struktur")
        elif voucher.opened:
            self._problem(line_no, "varning", "en extra '{' i verifikationen ignoreras", "struktur")
        else:
            voucher.opened = True
            self._rows = voucher.rows

    def _close_brace(self, line_no: int) -> Voucher | None:
        if self._rows is None:
            self._problem(line_no, "varning", "'}' utan öppen verifikation ignoreras", "struktur")
            return None
        return self._close_voucher(line_no)

    def _close_voucher(self, line_no: int) -> Voucher:
        voucher = self._voucher
        assert voucher is not None  # _rows is only set while a voucher is open
        self._voucher = None
        self._rows = None
        rows = tuple(voucher.rows)
        if not voucher.unreadable_rows:
            total = 0
            for row in rows:
                if row.kind == "TRANS":
                    total += row.amount_ore
            if total:
                self._problem(
                    voucher.line,
                    "varning",
                    f"obalanserad verifikation {_voucher_name(voucher)}: #TRANS-raderna summerar "
                    f"till {_format_kr(total)}, inte 0",
                    "obalanserad",
                )
        return Voucher(voucher.series, voucher.number, voucher.date, voucher.text, voucher.line, rows)

    def _trans_outside(self, kind: TransKind, line_no: int) -> None:
        voucher = self._voucher
        if voucher is not None and not voucher.opened:
            self._unopened_voucher(voucher)
        self._problem(
            line_no,
            "fel",
            f"#{kind} står utanför en verifikation (ingen #VER med '{{' före raden)",
            "utanför-verifikation",
        )

    def _trans_row(self, kind: TransKind, rest: str, line_no: int) -> TransRow:
        # Inline split of the common forms `3010 {} -100.00` and
        # `3010 {"1" "10"} 100.00 20190105 "text"`: an unquoted account, an object list of
        # all-quoted or all-bare items, at most one quoted field and no escapes. Anything else
        # goes to the full tokenizer.
        simple = False
        o = rest.find("{")
        c = rest.find("}", o)
        if o > 0 and c > 0 and "\\" not in rest:
            account = rest[:o].strip()
            inner = rest[o + 1 : c]
            tail = rest[c + 1 :]
            q = tail.find('"')
            if not inner:
                items: tuple[str, ...] = ()
                simple = True
            elif '"' in inner:
                parts = inner.split('"')
                items = tuple(parts[1::2])
                simple = bool(len(parts) & 1) and not "".join(parts[::2]).strip()
            else:
                items = tuple(inner.split())
                simple = True
            if simple and (not account or '"' in account or " " in account or "\t" in account or "{" in tail):
                simple = False
            if simple:
                if q < 0:
                    words = tail.split()
                    n = len(words)
                    if 0 < n <= 4:
                        raw_amount = words[0]
                        raw_date = words[1] if n > 1 else ""
                        text = words[2] if n > 2 else ""
                        raw_quantity = words[3] if n > 3 else ""
                    else:
                        simple = False
                else:
                    r = tail.find('"', q + 1)
                    before = tail[:q].split()
                    after = tail[r + 1 :]
                    if r > 0 and len(before) == 2 and '"' not in after:
                        raw_amount, raw_date = before
                        text = tail[q + 1 : r]
                        extra = after.split()
                        raw_quantity = extra[0] if extra else ""
                    else:
                        simple = False
        if simple:
            objs = (self._objects_cache.get(items) or self._objects(items, line_no)) if items else ()
        else:
            account, objs, raw_amount, raw_date, text, raw_quantity = self._trans_fields(rest, line_no)
        amount = _parse_ore(raw_amount)
        when = None
        if raw_date:
            when = self._date_cache.get(raw_date) or self._date(raw_date, line_no, required=False)
        quantity = self._quantity(raw_quantity, line_no) if raw_quantity else None
        return _new_trans_row(account, objs, amount, when, text, quantity, kind, line_no)

    def _trans_fields(self, rest: str, line_no: int) -> tuple[str, Objects, str, str, str, str]:
        """Full tokenizer route for a #TRANS-like row: account, objects and raw field texts."""
        try:
            fields = _fields(rest)
        except _LineError as exc:
            # A text whose closing quote is missing: amount, date and objects come before it.
            if exc.code != "citattecken":
                raise
            fields = _fields(rest + '"')
            if len(fields) < 3 or isinstance(fields[0], tuple):
                raise
            self._problem(
                line_no,
                "varning",
                "texten saknar avslutande citattecken; belopp, datum och objekt läses ändå",
                "citattecken",
            )
        n = len(fields)
        account = fields[0] if n else ""
        if not account or not isinstance(account, str):
            raise _LineError("saknar kontonummer", "fält-saknas")
        objs: Objects = ()
        i = 1
        if n > 1 and isinstance(fields[1], tuple):
            objs = self._objects(fields[1], line_no)
            i = 2
        if n <= i:
            raise _LineError("saknar belopp", "fält-saknas")
        return (
            account,
            objs,
            _text(fields[i]),
            _text(fields[i + 1]) if n > i + 1 else "",
            _text(fields[i + 2]) if n > i + 2 else "",
            _text(fields[i + 3]) if n > i + 3 else "",
        )

    def _unopened_voucher(self, voucher: _OpenVoucher) -> None:
        self._problem(
            voucher.line,
            "fel",
            f"#VER {_voucher_name(voucher)} följs inte av '{{'; verifikationen kan inte läsas",
            "struktur",
        )
        self._voucher = None

    # -- values with line context --------------------------------------------------------------

    def _date(self, raw: str, line_no: int, *, required: bool) -> dt.date | None:
        cached = self._date_cache.get(raw)
        if cached is not None:
            return cached
        try:
            if len(raw) != 8 or not raw.isascii() or not raw.isdigit():
                raise ValueError(raw)
            value = dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError:
            message = f"datumet '{raw}' kan inte läsas (väntade ÅÅÅÅMMDD)"
            if required:
                raise _LineError(message, "datum") from None
            self._problem(line_no, "varning", message, "datum")
            return None
        if len(self._date_cache) >= _CACHE_LIMIT:
            self._date_cache.clear()
        self._date_cache[raw] = value
        return value

    def _quantity(self, raw: str, line_no: int) -> Decimal | None:
        if not raw:
            return None
        if _QUANTITY_RE.fullmatch(raw):
            return Decimal(raw)
        self._problem(line_no, "varning", f"kvantiteten '{raw}' kan inte läsas", "kvantitet")
        return None

    def _objects(self, items: tuple[str, ...], line_no: int) -> Objects:
        cached = self._objects_cache.get(items)
        if cached is not None:
            return cached
        if len(items) % 2:
            shown = " ".join(items)
            raise _LineError(
                f"objektlistan '{{{shown}}}' har ett udda antal element; varje objekt anges som "
                "dimension och objektkod",
                "objektlista",
            )
        pairs = tuple(zip(items[::2], items[1::2], strict=True))
        declared = self._header.dimensions
        all_declared = True
        for dim, _obj in pairs:
            if dim not in declared and dim not in STANDARD_DIMENSIONS:
                all_declared = False
                if dim not in self._undeclared_dims:
                    self._undeclared_dims.add(dim)
                    self._problem(
                        line_no,
                        "varning",
                        f"dimension {dim} används men deklareras inte med #DIM eller #UNDERDIM "
                        "(första förekomsten)",
                        "okänd-dimension",
                    )
        # Lists with undeclared dimensions are not cached: a later #DIM would make them valid.
        if all_declared:
            if len(self._objects_cache) >= _CACHE_LIMIT:
                self._objects_cache.clear()
            self._objects_cache[items] = pairs
        return pairs

    def _year_index(self, raw: Field) -> int:
        text = _text(raw)
        if not _INT_RE.fullmatch(text):
            raise _LineError(f"årsnumret '{text}' är inget heltal", "årsnummer")
        return int(text)

    # -- labels ---------------------------------------------------------------------------------

    def _set_header(self, **changes: object) -> None:
        self._header = dataclasses.replace(self._header, **changes)  # type: ignore[arg-type]

    def _ver(self, rest: str, line_no: int) -> None:
        previous = self._voucher
        if previous is not None:
            if previous.opened:
                self._problem(
                    previous.line,
                    "fel",
                    f"verifikation {_voucher_name(previous)} avslutas aldrig med '}}' "
                    f"(nästa #VER kommer på rad {line_no})",
                    "avkortad",
                )
                self._voucher = None
                self._rows = None
            else:
                self._unopened_voucher(previous)
        fields = _fields(rest)
        series, number, raw_date, text = (_text(fields[i]) if i < len(fields) else "" for i in range(4))
        # The voucher is tracked even when its head is unreadable, so that its rows are not
        # each reported again as standing outside a voucher.
        voucher = _OpenVoucher(series, number, None, text, line_no)
        self._voucher = voucher
        if _looks_like_date(number) and not _looks_like_date(raw_date):
            raise _LineError(
                f"#VER {series} {number} saknar serie: fälten ska vara serie, verifikationsnummer, datum"
                f' (t.ex. #VER A {series} {number}); skriv serien, eller "" för ingen serie',
                "ver-serie",
            )
        if not raw_date:
            raise _LineError("saknar serie, verifikationsnummer eller datum", "fält-saknas")
        voucher.date = self._date(raw_date, line_no, required=True)

    def _balance(self, kind: BalanceKind, rest: str, line_no: int) -> Balance:
        fields = _fields(rest)
        with_objects = kind in ("OIB", "OUB")
        need = 4 if with_objects else 3
        if len(fields) < need:
            wanted = "årsnr, konto, objektlista, saldo" if with_objects else "årsnr, konto, saldo"
            raise _LineError(f"saknar fält (väntade {wanted})", "fält-saknas")
        year = self._year_index(fields[0])
        account, objs, amount, qty = self._account_amount(fields, 1, line_no, missing="saknar saldo")
        return Balance(kind, year, account, objs, amount, qty, line_no)

    def _period_balance(self, kind: PeriodKind, rest: str, line_no: int) -> PeriodBalance:
        fields = _fields(rest)
        if len(fields) < 4:
            raise _LineError("saknar fält (väntade årsnr, period, konto, objektlista, belopp)", "fält-saknas")
        year = self._year_index(fields[0])
        period = _text(fields[1])
        if not (len(period) == 6 and period.isascii() and period.isdigit() and 1 <= int(period[4:]) <= 12):
            raise _LineError(f"perioden '{period}' kan inte läsas (väntade ÅÅÅÅMM)", "period")
        account, objs, amount, qty = self._account_amount(fields, 2, line_no, missing="saknar belopp")
        return PeriodBalance(kind, year, period, account, objs, amount, qty, line_no)

    def _account_amount(
        self, fields: list[Field], at: int, line_no: int, *, missing: str
    ) -> tuple[str, Objects, int, Decimal | None]:
        """A balance's tail from field `at`: account, optional object list, amount, optional quantity."""
        account = _text(fields[at])
        objs: Objects = ()
        i = at + 1
        if isinstance(listed := fields[i], tuple):
            objs = self._objects(listed, line_no)
            i += 1
        if len(fields) <= i:
            raise _LineError(missing, "fält-saknas")
        amount = _parse_ore(_text(fields[i]))
        qty = self._quantity(_text(fields[i + 1]), line_no) if len(fields) > i + 1 else None
        return account, objs, amount, qty

    def _rar(self, rest: str, line_no: int) -> None:
        fields = _fields(rest)
        if len(fields) < 3:
            raise _LineError(
                "saknar start- och slutdatum; räkenskapsåret tas då från verifikationernas datum",
                "fält-saknas",
            )
        year = self._year_index(fields[0])
        start = self._date(_text(fields[1]), line_no, required=True)
        end = self._date(_text(fields[2]), line_no, required=True)
        if start is not None and end is not None:
            self._header.fiscal_years[year] = (start, end)

    def _format(self, rest: str, line_no: int) -> None:
        self._scalar("format", rest)
        if self._declared is None and self._header.format:
            # #FORMAT lay beyond the sample: compare now, or when the encoding is decided.
            self._declared = self._header.format
            self._format_line = line_no
            if self._encoding_decided:
                self._check_declared()

    def _gen(self, rest: str, line_no: int) -> None:
        fields = _fields(rest)
        if fields:
            self._set_header(generated=self._date(_text(fields[0]), line_no, required=False))

    def _scalar(self, attribute: str, rest: str) -> None:
        fields = _fields(rest)
        if fields:
            self._set_header(**{attribute: _text(fields[0])})

    def _program(self, rest: str) -> None:
        fields = _fields(rest)
        if fields:
            version = _text(fields[1]) if len(fields) > 1 else None
            self._set_header(program=_text(fields[0]), program_version=version)

    def _mapping(self, target: dict[str, str], rest: str, wanted: str) -> None:
        fields = _fields(rest)
        if len(fields) < 2:
            raise _LineError(f"saknar fält (väntade {wanted})", "fält-saknas")
        target[_text(fields[0])] = _text(fields[1])

    def _dim(self, rest: str, line_no: int) -> None:
        self._mapping(self._header.dimensions, rest, "dimensionsnr, namn")

    def _underdim(self, rest: str, line_no: int) -> None:
        fields = _fields(rest)
        if len(fields) < 2:
            raise _LineError("saknar fält (väntade dimensionsnr, namn, överdimension)", "fält-saknas")
        dim = _text(fields[0])
        self._header.dimensions[dim] = _text(fields[1])
        if len(fields) > 2:
            self._header.subdimensions[dim] = _text(fields[2])

    def _objekt(self, rest: str, line_no: int) -> None:
        fields = _fields(rest)
        if len(fields) < 3:
            raise _LineError("saknar fält (väntade dimensionsnr, objektkod, namn)", "fält-saknas")
        self._header.objects[(_text(fields[0]), _text(fields[1]))] = _text(fields[2])


def _line_message(label: str, exc: _LineError) -> str:
    # "saknar …" messages need the label to make sense; the others name what they found.
    return f"{label} {exc}" if exc.code == "fält-saknas" else str(exc)


def _looks_like_date(text: str) -> bool:
    return len(text) == 8 and text.isascii() and text.isdigit() and text[:2] in ("19", "20")


def _text(value: Field) -> str:
    if isinstance(value, tuple):
        raise _LineError("en objektlista står där ett enkelt värde väntades", "objektlista")
    return value


def _voucher_name(voucher: _OpenVoucher) -> str:
    return f"{voucher.series} {voucher.number}".strip() or "(utan nummer)"


def _remaining_size(fh: BinaryIO) -> int:
    try:
        if not fh.seekable():
            return 0
        here = fh.tell()
        end = fh.seek(0, os.SEEK_END)
        fh.seek(here)
    except (AttributeError, OSError, ValueError):
        return 0
    return max(end - here, 0)


_Handler = Callable[[SieReader, str, int], "Record | None"]

_HANDLERS: dict[str, _Handler] = {
    "#VER": SieReader._ver,
    "#IB": lambda r, rest, n: r._balance("IB", rest, n),
    "#UB": lambda r, rest, n: r._balance("UB", rest, n),
    "#RES": lambda r, rest, n: r._balance("RES", rest, n),
    "#OIB": lambda r, rest, n: r._balance("OIB", rest, n),
    "#OUB": lambda r, rest, n: r._balance("OUB", rest, n),
    "#PSALDO": lambda r, rest, n: r._period_balance("PSALDO", rest, n),
    "#PBUDGET": lambda r, rest, n: r._period_balance("PBUDGET", rest, n),
    "#RAR": SieReader._rar,
    "#GEN": SieReader._gen,
    "#DIM": SieReader._dim,
    "#UNDERDIM": SieReader._underdim,
    "#OBJEKT": SieReader._objekt,
    "#PROGRAM": lambda r, rest, n: r._program(rest),
    "#FORMAT": SieReader._format,
    "#SIETYP": lambda r, rest, n: r._scalar("sie_type", rest),
    "#FNAMN": lambda r, rest, n: r._scalar("company_name", rest),
    "#ORGNR": lambda r, rest, n: r._scalar("org_no", rest),
    "#VALUTA": lambda r, rest, n: r._scalar("currency", rest),
    "#KPTYP": lambda r, rest, n: r._scalar("chart_type", rest),
    "#KONTO": lambda r, rest, n: r._mapping(r.header.accounts, rest, "kontonr, namn"),
    "#KTYP": lambda r, rest, n: r._mapping(r.header.account_types, rest, "kontonr, kontotyp"),
    "#SRU": lambda r, rest, n: r._mapping(r.header.sru, rest, "kontonr, SRU-kod"),
}


def read_all(source: str | os.PathLike[str] | BinaryIO, *, progress: Progress | None = None) -> SieFile:
    """Read a whole SIE file into memory; convenient for tests and small files."""
    reader = SieReader(source, progress=progress)
    vouchers: list[Voucher] = []
    balances: list[Balance] = []
    period_balances: list[PeriodBalance] = []
    for record in reader:
        if isinstance(record, Voucher):
            vouchers.append(record)
        elif isinstance(record, Balance):
            balances.append(record)
        else:
            period_balances.append(record)
    return SieFile(
        header=reader.header,
        vouchers=tuple(vouchers),
        balances=tuple(balances),
        period_balances=tuple(period_balances),
        problems=tuple(reader.problems),
        encoding=reader.encoding,
    )


# ---------------------------------------------------------------------------------------------
# #KSUMMA

_KSUMMA_TOKEN_RE = re.compile(rb'"((?:\\"|[^"])*)"|([{}])|([^\s"{}]+)')
# A file that opens a checksum does so among its first lines (after #FLAGGA).
_KSUMMA_HEAD_LINES = 20


@dataclass(frozen=True, slots=True)
class ChecksumResult:
    """What a file's #KSUMMA says: `ok`, `mismatch` (stated ≠ computed) or `missing-end`."""

    status: Literal["ok", "mismatch", "missing-end"]
    stated: str | None
    computed: str


def _ksumma_bytes(line: bytes) -> bytes:
    """The bytes a line adds to the checksum: its label and fields, without separators.

    Spaces, tabs, the quotes around a field and the braces of an object list are left out;
    an escaped quote inside a field counts as a quote.
    """
    out = []
    for quoted, brace, bare in _KSUMMA_TOKEN_RE.findall(line):
        if brace:
            continue
        out.append(bare or quoted.replace(b'\\"', b'"'))
    return b"".join(out)


def verify_checksum(source: str | os.PathLike[str] | BinaryIO) -> ChecksumResult | None:
    """Check a file's #KSUMMA (CRC-32 over the lines between its two #KSUMMA lines); None without one.

    Computed on the file's own bytes, as SIE 4 specifies. A binary stream is rewound afterwards.
    """
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as fh:
            return _verify_checksum(fh)
    start = source.tell()
    try:
        return _verify_checksum(source)
    finally:
        source.seek(start)


def _verify_checksum(fh: BinaryIO) -> ChecksumResult | None:
    crc = 0
    opened = False
    for number, raw in enumerate(fh, start=1):
        line = raw.strip()
        if line.startswith(_BOM):
            line = line[len(_BOM) :].strip()
        if line[:7].upper() == b"#KSUMMA":
            rest = line[7:].strip()
            if not opened:
                if rest:
                    return None  # a closing checksum without an opening one: not verifiable
                opened = True
                continue
            stated = rest.strip(b'"').decode("ascii", "replace")
            computed = str(crc)
            return ChecksumResult("ok" if stated == computed else "mismatch", stated, computed)
        if not opened:
            if number > _KSUMMA_HEAD_LINES:
                return None
            continue
        if line:
            crc = zlib.crc32(_ksumma_bytes(line), crc)
    if not opened:
        return None
    return ChecksumResult("missing-end", None, str(crc))
