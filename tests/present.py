"""`present(x)`: a value a test expects to be there (a lookup that returns None when nothing is
found), failing the test with a clear message when it is not, and typed without the None."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def present(value: T | None, what: str = "värdet") -> T:
    assert value is not None, f"{what} saknas"
    return value
