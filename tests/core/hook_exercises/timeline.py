"""Exercise of ``crm_timeline_entries``: what a plugin answers joins the record's timeline, in
date order with the record's own change sets, paged with ``before`` and ``limit``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from crm_core.declarations import TimelineEntry, TimelineLine, TimelineLink
from tests.core.hook_exercises import Kit, exercise, record

EARLY = datetime(2001, 1, 1, tzinfo=UTC)


def _entries(sdef: Any, element: Any, access: Any, db: Any, before: Any, limit: int) -> list[TimelineEntry]:
    record("crm_timeline_entries")((sdef.name, element.name, access.user.username, before, limit))
    made = [
        TimelineEntry(EARLY - timedelta(days=i), f"probe:{i:06d}", "call", f"Probe call {i}", who="Probe",
                      lines=(TimelineLine("Outcome", None, "Answered"),),
                      links=(TimelineLink("Probe record", "/probe/1"),))
        for i in range(40)
    ]
    return [e for e in made if before is None or e.at <= before][:limit]


@exercise("crm_timeline_entries", _entries, plugins=("sample",))
def plugin_entries_join_the_timeline_in_date_order(kit: Kit) -> None:
    element = kit.create("samples", "ana", name="Timeline probe")
    ana = kit.client_for("ana")
    html = ana.get(f"/s/samples/{element.id}?tab=timeline").get_data(as_text=True)
    assert kit.calls("crm_timeline_entries") == [("samples", "Timeline probe", "ana", None, 31)]
    keys = re.findall(r'data-key="([^"]+)"', html)
    assert keys[0].startswith("change:")  # the record's creation (now) is newer than the 2001 calls
    assert keys[1:] == [f"probe:{i:06d}" for i in range(29)]  # 30 a page: the creation and 29 calls
    assert 'href="/probe/1"' in html and "Answered" in html and "Probe call 28" in html
    more = html.split('data-fragment="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    rest = re.findall(r'data-key="([^"]+)"', ana.get(more).get_data(as_text=True))
    assert rest == [f"probe:{i:06d}" for i in range(29, 40)]
    assert kit.calls("crm_timeline_entries")[-1][3] == EARLY - timedelta(days=28)
