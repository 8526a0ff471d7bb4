"""Parties by what people call them: "Bräcke", "Bräcke kommun", "bracke" and "BRACKE" are one party."""

from __future__ import annotations

from collections.abc import Iterable

from portfolio import store
from portfolio.db import Database
from portfolio.errors import InvalidInputError

# The group "the municipalities" of a budget split: shared among them by population.
KOMMUNERNA = "KOMMUNERNA"
KOMMUNERNA_NAMES = frozenset({"kommunerna", "kommuner", "länets kommuner"})
REGION_NAMES = frozenset({"region", "regionen"})


def _names_for(code: str, name: str, kind: str) -> set[str]:
    """Every spelling that means this party, case-folded."""
    full = name.casefold().strip()
    names = {code.casefold(), full}
    if kind == "kommun":
        short = full.removesuffix(" kommun").strip()
        names.add(short)
        # "Bergs kommun" is Berg, "Östersunds kommun" Östersund; "Åre kommun" is Åre.
        if short.endswith("s"):
            names.add(short[:-1])
        names |= {f"{n} kommun" for n in list(names) if not n.endswith(" kommun")}
    return names


def party_lookup(parties: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Map every accepted spelling (case-folded) to its party code; rows are (code, name, kind)."""
    rows = list(parties)
    lookup: dict[str, str] = {}
    for code, name, kind in rows:
        for spelling in _names_for(code, name, kind):
            lookup.setdefault(spelling, code)
    regions = [code for code, _, kind in rows if kind == "region"]
    if len(regions) == 1:
        for spelling in REGION_NAMES:
            lookup.setdefault(spelling, regions[0])
    return lookup


def resolve_code(lookup: dict[str, str], text: str, valid: Iterable[str]) -> str:
    """The party code `text` names; InvalidInputError listing the valid parties otherwise."""
    code = lookup.get(" ".join(text.split()).casefold())
    if code is None:
        raise InvalidInputError(
            [f"Okänd part '{text}'. Giltiga parter: {', '.join(valid)} (namn eller kod, t.ex. Bräcke)."]
        )
    return code


def resolve_party(db: Database, text: str) -> str:
    """The code of the party `text` names (code or name, any case); InvalidInputError otherwise."""
    rows = store.parties_frame(db).rows()
    return resolve_code(party_lookup(rows), text, [name for _, name, _ in rows])


def resolve_financier(db: Database, text: str) -> str:
    """A budget financier: a party (code or name) or "kommunerna" (shared by population)."""
    if " ".join(text.split()).casefold() in KOMMUNERNA_NAMES:
        return KOMMUNERNA
    rows = store.parties_frame(db).rows()
    return resolve_code(party_lookup(rows), text, ["Kommunerna", *(name for _, name, _ in rows)])
