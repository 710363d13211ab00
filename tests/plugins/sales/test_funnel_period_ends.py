"""The funnel's period at the ends of the calendar (SAL-11, NF-02): the last day there is
ends the period without a "next day" to compute."""

from __future__ import annotations


def test_a_period_ending_on_the_last_day_there_is_is_counted(client_for, create):
    create("leads", "leader", name="Espiga")
    response = client_for("leader").get("/sales/funnel?from=0001-01-01&to=9999-12-31")
    assert response.status_code == 200
    assert "is not a date" not in response.get_data(as_text=True)

