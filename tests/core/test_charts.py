"""The chart declaration (crm_core/charts.py): one set of figures gives the table (page and
downloads) and the geometry the one drawing macro reads."""

from __future__ import annotations

import pytest
from flask import render_template_string

from crm_core.toolkit import ChartSeries, bar_chart


def chart():
    return bar_chart("k", "Cases", "Type", [ChartSeries("a", "Open"), ChartSeries("b", "Late", color="#123456"),
                                           ChartSeries("n", "Count", drawn=False)],
                     [("Billing", (10, 5, 15)), ("Defect", (2, None, 2))])


def test_the_table_holds_every_figure_and_the_header_every_series():
    c = chart()
    assert c.header() == ["Type", "Open", "Late", "Count"]
    assert c.table() == [["Billing", 10, 5, 15], ["Defect", 2, None, 2]]
    assert c.as_dict()["rows"][1] == {"label": "Defect", "values": [2, None, 2]}


def test_bars_scale_to_the_largest_drawn_figure_and_table_only_series_are_not_drawn():
    g = chart().geometry()
    billing, defect = g.rows
    assert [b.series.key for b in billing.bars] == ["a", "b"]
    room = billing.bars[0].width
    assert billing.bars[1].width == pytest.approx(room / 2, abs=0.1) and defect.bars[0].width == pytest.approx(room / 5, abs=0.1)
    assert defect.bars[1].width == 0 and billing.bars[1].color == "#123456"
    assert defect.y > billing.bars[1].y  # one group of bars per category, one under the other
    assert [str(label) for label, _color in g.legend] == ["Open", "Late"]


def test_a_row_with_the_wrong_number_of_figures_is_refused():
    with pytest.raises(ValueError, match="row 'Billing' has 1 figures for 2 series"):
        bar_chart("k", "t", "c", [ChartSeries("a", "A"), ChartSeries("b", "B")], [("Billing", (1,))])


def test_an_empty_chart_still_has_a_drawing_area():
    g = bar_chart("k", "t", "c", [ChartSeries("a", "A")], []).geometry()
    assert g.rows == () and g.height > 0


def test_the_macro_draws_every_bar_escaped(crm_app):
    c = bar_chart("k", "T", "c", [ChartSeries("a", "A")], [("<b>x</b>", (3,))])
    with crm_app.test_request_context("/"):
        html = render_template_string('{% from "charts.html" import bar_chart %}{{ bar_chart(c) }}', c=c)
    assert 'data-chart="k"' in html and 'data-series="a"' in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
