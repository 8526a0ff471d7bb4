"""Fördelningsnycklar: split an amount in öre among parties, exactly.

Every key ends in the largest-remainder (Hamilton) method, so the parts always sum to the
whole in öre. Arithmetic is exact (integers and ``Fraction``), never float.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

__all__ = [
    "AllocationKey",
    "ByPopulation",
    "CustomShares",
    "EqualShares",
    "NamedPayer",
    "TwoLevel",
    "allocate",
    "allocate_two_level",
    "largest_remainder",
]

Weight = int | Decimal


def _exact_weight(party: str, weight: object) -> Fraction:
    # bool is an int subclass and float is inexact: both are refused rather than guessed at.
    if isinstance(weight, bool) or not isinstance(weight, int | Decimal):
        raise ValueError(f"Vikten för {party} måste vara ett heltal eller ett decimaltal (Decimal)")
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise ValueError(f"Vikten för {party} måste vara ett ändligt tal")
    exact = Fraction(weight)
    if exact < 0:
        raise ValueError(f"Vikten för {party} får inte vara negativ")
    return exact


def _check_total(total_ore: object) -> int:
    if isinstance(total_ore, bool) or not isinstance(total_ore, int):
        raise ValueError("Beloppet måste anges som ett heltal i öre")
    return total_ore


def largest_remainder(total_ore: int, weights: Mapping[str, Weight]) -> dict[str, int]:
    """Split ``total_ore`` by ``weights`` so that the parts sum exactly to the total.

    Each party first gets the whole öre of its exact share of the absolute amount; the öre left
    over go one each to the largest remainders, ties going to the party that comes first in
    ``weights``. A negative total is split as its absolute value and then negated.
    """
    total = _check_total(total_ore)
    if not weights:
        raise ValueError("Fördelningsnyckeln måste ha minst en part")
    exact = {party: _exact_weight(party, weight) for party, weight in weights.items()}
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum == 0:
        raise ValueError("Summan av vikterna måste vara större än noll")

    magnitude = abs(total)
    quotas = {party: magnitude * weight / weight_sum for party, weight in exact.items()}
    parts = {party: quota.numerator // quota.denominator for party, quota in quotas.items()}
    left_over = magnitude - sum(parts.values())
    # sorted() is stable, also with reverse=True: equal remainders keep the key order.
    by_remainder = sorted(quotas, key=lambda party: quotas[party] - parts[party], reverse=True)
    for party in by_remainder[:left_over]:
        parts[party] += 1

    sign = -1 if total < 0 else 1
    return {party: sign * part for party, part in parts.items()}


@dataclass(frozen=True)
class EqualShares:
    """Equal shares among the parties (LINK2-nämndens grundfinansiering)."""

    parties: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parties", tuple(self.parties))
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("En part får bara förekomma en gång i fördelningsnyckeln")


@dataclass(frozen=True)
class ByPopulation:
    """Shares by population (folkmängd 1 november året före)."""

    populations: Mapping[str, int] = field(hash=False)

    def __post_init__(self) -> None:
        for party, population in self.populations.items():
            if isinstance(population, bool) or not isinstance(population, int):
                raise ValueError(f"Folkmängden för {party} måste vara ett heltal")
        object.__setattr__(self, "populations", MappingProxyType(dict(self.populations)))


@dataclass(frozen=True)
class CustomShares:
    """Agreed shares, for instance by benefit or usage (samarbetsöverenskommelsen p. 8)."""

    shares: Mapping[str, Weight] = field(hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shares", MappingProxyType(dict(self.shares)))


@dataclass(frozen=True)
class NamedPayer:
    """One named party pays everything (Serverdrift Åre faktureras Åre)."""

    party: str

    def __post_init__(self) -> None:
        if not self.party.strip():
            raise ValueError("Betalande part måste anges")


@dataclass(frozen=True)
class TwoLevel:
    """Split by ``first`` weights, then split the ``group`` entry's part further by ``then``.

    LINK2: ``first={"Region Jämtland Härjedalen": 1, "kommunerna": 1}``, ``group="kommunerna"``,
    ``then=ByPopulation(...)``. A party that appears on both levels gets the sum of its parts.
    """

    first: Mapping[str, Weight] = field(hash=False)
    group: str
    then: AllocationKey

    def __post_init__(self) -> None:
        if self.group not in self.first:
            raise ValueError(f"Gruppen {self.group} saknas i den första fördelningen")
        object.__setattr__(self, "first", MappingProxyType(dict(self.first)))


AllocationKey = EqualShares | ByPopulation | CustomShares | NamedPayer | TwoLevel


def allocate(total_ore: int, key: AllocationKey) -> dict[str, int]:
    """Split an amount in öre among the parties by an allocation key, summing exactly."""
    match key:
        case EqualShares(parties=parties):
            return largest_remainder(total_ore, dict.fromkeys(parties, 1))
        case ByPopulation(populations=populations):
            return largest_remainder(total_ore, populations)
        case CustomShares(shares=shares):
            return largest_remainder(total_ore, shares)
        case NamedPayer(party=party):
            return {party: _check_total(total_ore)}
        case TwoLevel(first=first, group=group, then=then):
            first_parts = largest_remainder(total_ore, first)
            result = {party: part for party, part in first_parts.items() if party != group}
            for party, part in allocate(first_parts[group], then).items():
                result[party] = result.get(party, 0) + part
            return result
    raise ValueError("Okänd typ av fördelningsnyckel")


def allocate_two_level(
    region_ore: int,
    municipalities_ore: int,
    region_party: str,
    populations: Mapping[str, int],
) -> dict[str, int]:
    """Give the region its part and split the municipalities' part by population (LINK2)."""
    region = _check_total(region_ore)
    if region_party in populations:
        raise ValueError(f"{region_party} kan inte både vara region och kommun i fördelningen")
    result = {region_party: region}
    result.update(allocate(municipalities_ore, ByPopulation(populations)))
    return result
