"""Streamed CSV downloads read to the end through a real server (CORE-10, CORE-08 export).

The test client hides a body that reads from the request's database session after the
request's teardown closed it; a WSGI server does not, so these tests serve the app on
127.0.0.1 and download with httpx. The row counts exceed one CSV chunk and one ``yield_per``
batch, so several database reads happen while streaming.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from crm_core.app import crm_state
from crm_core.db import stream_scalars, unit_of_work
from crm_core.models.auth import User
from crm_core.reports.formats import CSV_CHUNK
from crm_core.screens.listing import YIELD_PER
from tests.support.live import LiveServer, http_login, live_app  # noqa: F401 - the fixture

ANA_ROWS = max(CSV_CHUNK, YIELD_PER) + 234
BOB_ROWS = 7


@pytest.fixture(scope="module")
def leads(live_app: LiveServer) -> LiveServer:  # noqa: F811 - pytest passes the fixture
    """Committed leads: many of ana's, a few of bob's."""
    with live_app.app.app_context(), unit_of_work() as s:
        sdef = crm_state().registry.sdef("leads")
        owners = {u.username: u.id for u in s.scalars(select(User))}
        for user, count in (("ana", ANA_ROWS), ("bob", BOB_ROWS)):
            s.add_all(
                sdef.model(name=f"{user} lead {i:05d}", owner_id=owners[user], creator_id=owners[user], kind="sale")
                for i in range(count)
            )
    return live_app


@pytest.fixture
def browse(leads: LiveServer) -> Iterator[object]:
    """``browse(user)``: an httpx client logged in as ``user`` on the live server."""
    clients: list[httpx.Client] = []

    def make(user: str) -> httpx.Client:
        client = httpx.Client(base_url=leads.url, timeout=30)
        clients.append(client)
        http_login(client, user)
        return client

    yield make
    for client in clients:
        client.close()


def download_csv(client: httpx.Client, path: str, **params: str) -> list[list[str]]:
    """The whole CSV body (httpx raises if the server cuts the stream short), parsed."""
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_grid_csv_export_streams_every_row_through_a_real_server(browse):
    rows = download_csv(browse("ana"), "/s/leads/export", format="csv")
    assert rows[0][0] == "Name"
    assert len(rows) - 1 == ANA_ROWS
    assert all(r[0].startswith("ana lead ") for r in rows[1:])


def test_csv_listing_streams_every_row_through_a_real_server(browse):
    rows = download_csv(browse("ana"), "/s/leads/listing", run="1", format="csv", all="1")
    assert len(rows) - 1 == ANA_ROWS  # an executive asking for all still gets only her rows


def test_leader_csv_export_of_all_records_streams_everyones_rows(browse):
    rows = download_csv(browse("leader"), "/s/leads/export", format="csv", all="1")
    assert len(rows) - 1 == ANA_ROWS + BOB_ROWS


def test_streaming_session_is_given_back_when_the_download_ends(browse, leads):
    pool = leads.app.extensions["crm_db"].engine.pool
    download_csv(browse("ana"), "/s/leads/export", format="csv")
    deadline = time.monotonic() + 5  # the server closes the body just after the last byte
    while pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.checkedout() == 0


def test_streaming_session_is_closed_when_the_reader_stops_early(leads):
    """A client that goes away makes the server close the body generator mid-stream."""
    with leads.app.app_context():
        sdef = crm_state().registry.sdef("leads")
        pool = leads.app.extensions["crm_db"].engine.pool
        before = pool.checkedout()
        rows = stream_scalars(select(sdef.model), 10)
        next(rows)
        assert pool.checkedout() == before + 1
        rows.close()
        assert pool.checkedout() == before
