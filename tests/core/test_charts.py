"""The chart declaration (crm_core/charts.py): one set of figures gives the table (page and
downloads) and the table the one drawing macro marks for charts.js."""

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


def test_a_row_with_the_wrong_number_of_figures_is_refused():
    with pytest.raises(ValueError, match="row 'Billing' has 1 figures for 2 series"):
        bar_chart("k", "t", "c", [ChartSeries("a", "A"), ChartSeries("b", "B")], [("Billing", (1,))])


def test_an_empty_chart_says_so_in_its_table(crm_app):
    c = bar_chart("k", "t", "c", [ChartSeries("a", "A")], [])
    with crm_app.test_request_context("/"):
        html = render_template_string('{% from "charts.html" import bar_chart %}{{ bar_chart(c) }}', c=c)
    assert 'id="chart-k"' in html and "No data." in html and "data-value" not in html


def test_the_table_marks_what_charts_js_draws_and_only_that(crm_app):
    with crm_app.test_request_context("/"):
        html = render_template_string('{% from "charts.html" import bar_chart %}{{ bar_chart(c, table_id="t") }}',
                                      c=chart())
    assert 'id="t"' in html and 'data-chart="bar"' in html and 'class="row g-3 crm-chart-figure' in html
    assert 'data-series="a"' in html and 'data-series="b" data-color="#123456"' in html
    assert 'data-series="n"' not in html  # a table-only column is not drawn
    assert html.count("data-value=") == 4  # two drawn figures per category; the missing one drawn as 0
    assert 'data-value="0"' in html


def test_the_macro_draws_every_bar_escaped(crm_app):
    c = bar_chart("k", "T", "c", [ChartSeries("a", "A")], [("<b>x</b>", (3,))])
    with crm_app.test_request_context("/"):
        html = render_template_string('{% from "charts.html" import bar_chart %}{{ bar_chart(c) }}', c=c)
    assert 'data-chart-key="k"' in html and 'data-series="a"' in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
