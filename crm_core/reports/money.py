"""Amounts with their currency in the HTML and PDF listings (issue 17 leftovers item 2, CORE-10).

An amount column whose schema field names its currency column (``metadata={"currency":
"currency"}``, :func:`crm_core.services.display.money_columns`) reads in a listing as on the grid:
the amount in the user's locale with the record's currency (``1.234,50 €``), right-aligned, and
the listing ends with one total row per currency — amounts in different currencies are never
added together. CSV and XLSX keep the plain number (the currency is its own column there).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import format_currency


@dataclass(frozen=True)
class Money:
    """An amount and its currency code (ISO 4217), as one listing cell."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return format_currency(self.amount, self.currency)


def with_currency(rows: Iterable[list[Any]], names: Sequence[str], money: dict[str, str],
                  currencies: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """``rows`` (values of the columns ``names``) with each amount of a money column made a
    :class:`Money` of its record's currency; ``currencies`` gives, per row, the currency value of
    each money column in ``money`` order. An amount without a currency stays a number."""
    positions = [(i, list(money).index(name)) for i, name in enumerate(names) if name in money]
    for row, codes in zip(rows, currencies, strict=True):
        for i, j in positions:
            if row[i] is not None and codes[j]:
                row[i] = Money(Decimal(str(row[i])), str(codes[j]))
        yield row


def totals_by_currency(rows: Iterable[Sequence[Any]]) -> list[tuple[str, dict[int, Decimal]]]:
    """``[(currency, {column index: total})]`` of the :class:`Money` cells, by currency code."""
    totals: dict[str, dict[int, Decimal]] = {}
    for row in rows:
        for i, value in enumerate(row):
            if isinstance(value, Money):
                per_column = totals.setdefault(value.currency, {})
                per_column[i] = per_column.get(i, Decimal(0)) + value.amount
    return sorted(totals.items())
