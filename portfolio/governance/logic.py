"""Pure rules of governance: search terms, costing by the price list. No I/O."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

# Words of a question that say nothing about its subject ("vad har nämnden beslutat om serverdrift?").
_STOP_TEXT = """
och att det som en ett i på om av för med till den de är har hade vad vilka vilken vilket när
hur var kring inom under efter från eller men så nämnden nämnd gns beslut beslutat beslutade
besluta beslutet besluten fattat fattade något några alla sig vi ni
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
