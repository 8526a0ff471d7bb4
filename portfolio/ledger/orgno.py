"""Swedish organisation numbers as SIE files write them: normalised before any comparison.

Files write `556677-8899`, `5566778899`, `16556677-8899` or leave `#ORGNR` empty; sample
exports carry placeholders such as `000000-0000` or `555555-5555`. Two files are the same
organisation only when their normalised numbers are equal and real.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OrgNumber", "normalise_org_no"]

# Numbers that demonstration and test exports use in place of a real one.
_PLACEHOLDERS = frozenset({"1234567890", "0123456789", "1111111116", "1122334567"})


@dataclass(frozen=True, slots=True)
class OrgNumber:
    """A file's #ORGNR read: `key` is 'NNNNNN-NNNN' when usable; `problem` is a warning."""

    raw: str
    key: str | None
    problem: str | None = None

    @property
    def usable(self) -> bool:
        """True when the number can identify the organisation."""
        return self.key is not None


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def normalise_org_no(raw: str | None) -> OrgNumber:
    """Read an #ORGNR: 10 digits (a century prefix 16/19/20 dropped), dashes and spaces ignored."""
    text = (raw or "").strip()
    shown = text or "(tomt)"
    if not text:
        return OrgNumber(text, None, "Filen anger inget organisationsnummer (#ORGNR saknas eller är tomt).")
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    others = [ch for ch in text if not (ch.isascii() and ch.isdigit()) and ch not in "- "]
    if len(digits) == 12 and digits[:2] in ("16", "19", "20"):
        digits = digits[2:]
    if others or len(digits) != 10:
        return OrgNumber(text, None, f"Organisationsnumret '{shown}' är inte tio siffror (NNNNNN-NNNN).")
    key = f"{digits[:6]}-{digits[6:]}"
    if len(set(digits)) == 1 or digits in _PLACEHOLDERS:
        return OrgNumber(
            text,
            None,
            f"Organisationsnumret {key} är en platshållare (exempelnummer), inget verkligt nummer.",
        )
    if not _luhn_ok(digits):
        # Kept as the key (a typo is still the same typo in the next file), but worth a look.
        return OrgNumber(text, key, f"Organisationsnumret {key} har fel kontrollsiffra; kontrollera det.")
    return OrgNumber(text, key)
