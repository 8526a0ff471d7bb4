"""Pure rules of governance: search terms, costing by the price list. No I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# Words of a question that say nothing about its subject ("vad har nämnden beslutat om serverdrift?").
_STOP_TEXT = """
och att det som en ett i på om av för med till den de är har hade vad vilka vilken vilket när
hur var kring inom under efter från eller men så nämnden nämnd gns beslut beslutat beslutade
besluta beslutet besluten fattat fattade något några alla sig vi ni beslutades beslutas
sammanträde sammanträdet sammanträdena möte mötet
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[\wÅÄÖåäöÉé/-]+", re.UNICODE)


def fold(text: str | None) -> str:
    """Lower-case with Unicode case folding, so Å matches å (SQLite's LIKE folds only ASCII)."""
    return unicodedata.normalize("NFC", text or "").casefold()


def search_terms(query: str) -> list[str]:
    """The words of a search that carry meaning, folded, in order, without duplicates.

    A case code (GNS/03/2019) stays one term; question words and the committee's own name
    are dropped, so a question in plain Swedish finds what it asks about.
    """
    terms: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word.strip("-/")
        if len(word) < 2 or word in STOP_WORDS or word in terms:
            continue
        terms.append(word)
    return terms


MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan"),
            ("februari", "feb"),
            ("mars", "mar"),
            ("april", "apr"),
            ("maj",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augusti", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO_DAY = re.compile(r"(?<![\d/-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/-])")
_ISO_MONTH = re.compile(r"(?<![\d/-])(\d{4})-(\d{1,2})(?![\d/-])")
_WORDS_DATE = re.compile(rf"(?<!\w)(?:(\d{{1,2}})\s+)?({_MONTH})\.?\s+(\d{{4}})(?![\d/-])")
_NUMBER = re.compile(r"(?:§\s*|(?<!\w)(paragraf|punkt)\s+)(\d{1,3})(?!\d)")


@dataclass(frozen=True)
class DecisionQuery:
    """A search of the decisions: words, and the meeting's days and item's number it names."""

    terms: tuple[str, ...] = ()
    first_day: date | None = None
    last_day: date | None = None
    number: int | None = None
    number_kind: str | None = None  # "paragraf" (§ in the minutes) or "punkt" (on the agenda)

    @property
    def empty(self) -> bool:
        """Nothing to search for."""
        return not self.terms and self.first_day is None and self.number is None


def _month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def parse_decision_query(query: str) -> DecisionQuery:
    """Split a search into its words, a meeting day or month, and a § or punkt number.

    "2019-06-03", "3 juni 2019" and "juni 2019" (or "2019-06") name meetings by date; "§17",
    "§ 17" and "paragraf 17" a paragraph of the minutes, "punkt 3" an agenda item. A date that
    does not exist ("2019-02-30") stays an ordinary word. The first date and number count.
    """
    text = fold(query)
    number = kind = None
    if found := _NUMBER.search(text):
        number, kind = int(found[2]), found[1] or "paragraf"
        text = text[: found.start()] + " " + text[found.end() :]
    first_day = last_day = None
    for pattern in (_ISO_DAY, _WORDS_DATE, _ISO_MONTH):
        for match in pattern.finditer(text):
            try:
                if pattern is _ISO_DAY:
                    first_day = last_day = date(int(match[1]), int(match[2]), int(match[3]))
                elif pattern is _ISO_MONTH:
                    first_day, last_day = _month_span(int(match[1]), int(match[2]))
                elif match[1]:
                    first_day = last_day = date(int(match[3]), MONTHS[match[2]], int(match[1]))
                else:
                    first_day, last_day = _month_span(int(match[3]), MONTHS[match[2]])
            except ValueError:
                continue
            text = text[: match.start()] + " " + text[match.end() :]
            break
        if first_day is not None:
            break
    return DecisionQuery(tuple(search_terms(text)), first_day, last_day, number, kind)


def debit_amount_ore(hours: Decimal, rate_ore: int) -> int:
    """Hours × the year's rate, in whole öre (half an öre rounds up, as invoices do)."""
    if hours < 0:
        raise ValueError("Antal timmar kan inte vara mindre än noll")
    return int((hours * rate_ore).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_to_centi(hours: Decimal) -> int:
    """Hours as integer hundredths, as they are stored (1,5 h → 150)."""
    return int((hours * 100).to_integral_value(rounding=ROUND_HALF_UP))


def centi_to_hours(centi: int) -> Decimal:
    """Stored hundredths back to exact hours."""
    return Decimal(centi) / 100
