"""Charts of the reports (SAL-11, EXT-07): a chart is a declaration, drawn in one place.

A plugin's report builds a :class:`BarChart` — a title, the label of its categories, its
columns (:class:`ChartSeries`) and one row of figures per category — and gets from it both
renderings of the same figures:

* the **table**, :meth:`BarChart.header` and :meth:`BarChart.table`: what the page shows under
  the chart and what ``table_response`` sends as CSV, XLSX or PDF (the listing formats);
* the **drawing**, through the one template macro ``charts.html`` ``bar_chart(chart)``: the
  table marked for ``static/charts.js``, which draws it with Apache ECharts (from npm) like the
  funnel, the call figures and the dashboard. No plugin template draws a chart itself, so
  changing how charts are drawn changes that macro and that script and nothing else.

Columns with ``drawn=False`` are figures of the table only (a count next to a rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChartSeries:
    """One column of a chart's figures: ``key`` (stable, for tests and scripts), its label,
    whether it is drawn, and an optional colour (CSS, e.g. ``"#dc3545"``; else the palette's)."""

    key: str
    label: Any
    drawn: bool = True
    color: str = ""


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one group per category and one bar per drawn series.

    ``rows`` holds ``(category label, figures)`` with one figure per entry of ``series`` (None
    for "no figure", shown empty and drawn as nothing).
    """

    key: str
    title: Any
    category_label: Any
    series: tuple[ChartSeries, ...]
    rows: tuple[tuple[str, tuple[float | int | None, ...]], ...] = field(default=())

    def __post_init__(self) -> None:
        for label, figures in self.rows:
            if len(figures) != len(self.series):
                raise ValueError(f"chart {self.key!r}: row {label!r} has {len(figures)} figures for "
                                 f"{len(self.series)} series")

    def header(self) -> list[str]:
        """The table's header: the category label, then every series' label."""
        return [str(self.category_label), *(str(s.label) for s in self.series)]

    def table(self) -> list[list[Any]]:
        """The table's rows, the same figures the chart draws (and the table-only ones)."""
        return [[label, *figures] for label, figures in self.rows]

    def as_dict(self) -> dict[str, Any]:
        """The declaration as plain data (for a client-side drawing or an API)."""
        return {
            "key": self.key,
            "title": str(self.title),
            "category_label": str(self.category_label),
            "series": [{"key": s.key, "label": str(s.label), "drawn": s.drawn} for s in self.series],
            "rows": [{"label": label, "values": list(figures)} for label, figures in self.rows],
        }


def bar_chart(key: str, title: Any, category_label: Any, series: Sequence[ChartSeries],
              rows: Sequence[tuple[str, Sequence[float | int | None]]]) -> BarChart:
    """A :class:`BarChart` from lists (tuples are made here)."""
    return BarChart(key, title, category_label, tuple(series), tuple((str(lb), tuple(f)) for lb, f in rows))
