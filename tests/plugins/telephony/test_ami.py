"""The Asterisk AMI link (TEL-01) against a loopback PBX speaking the real text protocol: login,
call events to call records, a refused login, reconnection with back-off after a PBX restart in
the middle of a call (the call still up is taken up again, one that ended unseen is recorded and
the gap is flagged), and Originate for click-to-call."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import select

from crm_core.app import crm_state
from plugins.telephony.ami import AmiClient, AmiLoginError
from plugins.telephony.calltracker import LOST_NOTE
from plugins.telephony.listener import Listener, backoff
from plugins.telephony.models import Call, LinkGap
from tests.plugins.telephony.ami_server import AmiServer, Peer

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])

T0 = 1_764_493_200  # 2026-11-30 09:00:00 UTC


def settings(port: int, secret: str = "pbx-secret") -> dict:
    return {"ami_host": "127.0.0.1", "ami_port": port, "ami_username": "crm", "ami_secret": secret,
            "reconnect_min": 0.05, "reconnect_max": 0.2}


def inbound_call(peer: Peer, uid: str, caller: str, agent_channel: str, at: int) -> None:
    peer.send(Event="Newchannel", Channel=f"PJSIP/trunk-{uid}", CallerIDNum=caller, Exten="900", Context="from-trunk",
              Uniqueid=uid, Linkedid=uid, Timestamp=at)
    peer.send(Event="Newchannel", Channel=agent_channel, CallerIDNum=caller, Exten="", Uniqueid=f"{uid}.1",
              Linkedid=uid, Timestamp=at + 1)
    peer.send(Event="DialBegin", Channel=f"PJSIP/trunk-{uid}", DestChannel=agent_channel, DestExten="201",
              Uniqueid=uid, Linkedid=uid, Timestamp=at + 1)


def hangup(peer: Peer, uid: str, at: int, cause: int = 16) -> None:
    peer.send(Event="Hangup", Channel=f"PJSIP/{uid}", Uniqueid=f"{uid}.1", Linkedid=uid, Cause=cause, Timestamp=at)
    peer.send(Event="Hangup", Channel=f"PJSIP/trunk-{uid}", Uniqueid=uid, Linkedid=uid, Cause=cause, Timestamp=at)


def wait_for(condition, limit: float = 10.0) -> None:
    """Until ``condition()`` (the listener has stored what the PBX sent), or ``limit`` seconds:
    the machine may be busy, so the scripts wait for the effect rather than a fixed time."""
    until = time.monotonic() + limit
    while not condition() and time.monotonic() < until:
        time.sleep(0.05)


def listen(listener: Listener, stop: threading.Event, server: AmiServer, limit: float = 15.0) -> None:
    """Run the listener in this thread (it writes through the test's database session) until the
    server's scripts are done, or ``limit`` seconds as a safety net."""
    guard = threading.Timer(limit, stop.set)
    guard.start()
    try:
        listener.run(stop)
    finally:
        guard.cancel()
        server.stop()
    assert not server.errors, server.errors


def calls(db) -> dict[str, Call]:
    return {c.call_id: c for c in db.scalars(select(Call))}


def test_events_of_a_call_become_its_record(db, users, create, extensions):
    lead = create("leads", "ana", name="Caller SL", phone="600 111 222")
    server, stop = AmiServer(), threading.Event()

    def pbx(peer: Peer) -> None:
        peer.accept_login()
        peer.show_channels()
        inbound_call(peer, "A", "600111222", "PJSIP/201-0001", T0)
        peer.send(Event="BridgeEnter", Uniqueid="A", Linkedid="A", Timestamp=T0 + 6)
        hangup(peer, "A", T0 + 66)
        inbound_call(peer, "B", "+44 20 7946 0958", "PJSIP/202-0002", T0 + 100)
        hangup(peer, "B", T0 + 120, cause=19)  # no answer
        peer.send(Event="Newchannel", Channel="PJSIP/201-0003", CallerIDNum="201", Exten="0721234567",
                  Uniqueid="C", Linkedid="C", Timestamp=T0 + 200)
        hangup(peer, "C", T0 + 203, cause=17)  # busy
        wait_for(lambda: listener.stored == 3)
        stop.set()
        time.sleep(0.3)

    listener = Listener(settings(server.port))
    server.serve(pbx)
    listen(listener, stop, server)
    found = calls(db)
    a, b, c = found["A"], found["B"], found["C"]
    assert (a.direction, a.number, a.extension, a.result, a.ring_seconds, a.talk_seconds) == (
        "inbound", "600111222", "201", "answered", 6, 60)
    assert a.owner_id == users["ana"].id and (a.session_name, a.element_id) == ("leads", lead.id)
    assert (b.result, b.extension, b.owner_id, b.ring_seconds) == ("missed", "202", users["bob"].id, 20)
    assert (c.direction, c.number, c.extension, c.result) == ("outbound", "0721234567", "201", "busy")
    assert listener.stored == 3


def test_a_pbx_restart_mid_call_reconnects_takes_the_call_up_and_flags_the_gap(db, users, extensions):
    server, stop = AmiServer(), threading.Event()
    port = server.port
    listener = Listener(settings(port))

    def before_restart(peer: Peer) -> None:
        peer.accept_login()
        peer.show_channels()
        inbound_call(peer, "A", "600111222", "PJSIP/201-0001", T0)
        peer.send(Event="BridgeEnter", Uniqueid="A", Linkedid="A", Timestamp=T0 + 5)
        inbound_call(peer, "B", "600333444", "PJSIP/202-0002", T0 + 10)  # ends while the link is down
        wait_for(lambda: len(listener.tracker.live) == 2)
        server.stop()  # the PBX goes away with both calls in progress

    server.serve(before_restart)
    restarted: list[AmiServer] = []

    def restart() -> None:
        time.sleep(0.6)  # a few reconnection attempts fail meanwhile
        again = AmiServer(port)
        restarted.append(again)

        def after_restart(peer: Peer) -> None:
            peer.accept_login()
            peer.show_channels({"Channel": "PJSIP/trunk-A", "Uniqueid": "A", "Linkedid": "A", "CallerIDNum": "600111222",
                                "Exten": "900", "BridgeId": "b-1", "Duration": "00:00:30"})
            hangup(peer, "A", T0 + 65)
            wait_for(lambda: listener.stored == 2)
            stop.set()
            time.sleep(0.5)  # the link stays up until the listener has stopped: no second gap

        again.serve(after_restart)

    threading.Thread(target=restart, daemon=True).start()
    listen(listener, stop, server)
    assert not restarted[0].errors
    restarted[0].stop()
    found = calls(db)
    assert (found["A"].result, found["A"].ring_seconds, found["A"].talk_seconds) == ("answered", 5, 60)
    assert found["A"].notes == ""
    lost = found["B"]
    assert lost.notes == LOST_NOTE and lost.owner_id == users["bob"].id and lost.result == "missed"
    gap = db.scalars(select(LinkGap)).one()
    assert gap.ended_at is not None and gap.ended_at > gap.started_at and gap.recovered_at is None
    assert "closed" in gap.reason


def test_a_refused_login_stops_the_link_and_never_logs_the_secret(db, caplog):
    server, stop = AmiServer(), threading.Event()
    server.serve(lambda peer: peer.accept_login(secret="the-right-one"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AmiLoginError, match="refused the login of user 'crm'") as refused:
        listen(Listener(settings(server.port, secret="wrong-secret-123")), stop, server)
    assert "wrong-secret-123" not in caplog.text and "wrong-secret-123" not in str(refused.value)
    assert db.scalars(select(LinkGap)).all() == []


def test_back_off_doubles_up_to_the_longest_wait():
    assert [backoff(n, 1.0, 60.0) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_click_to_call_sends_originate_through_the_agents_extension(crm_app, db, users, extensions):
    from plugins.telephony.click_to_call import deliver_originate

    server = AmiServer()
    seen: list[dict] = []

    def pbx(peer: Peer) -> None:
        peer.accept_login()
        originate = peer.expect("Originate")
        seen.append(originate)
        peer.respond(originate, Message="Originate successfully queued")

    thread = server.serve(pbx)
    crm_state(crm_app).settings["telephony"].update(settings(server.port))
    deliver_originate({"extension": "201", "number": "+34912345678", "user_id": users["ana"].id}, "originate:k1")
    thread.join(5)
    server.stop()
    assert not server.errors
    assert {k: seen[0][k] for k in ("Channel", "Exten", "Context", "ActionID")} == {
        "Channel": "PJSIP/201", "Exten": "+34912345678", "Context": "from-internal", "ActionID": "originate:k1"}


def test_the_client_never_shows_the_secret():
    client = AmiClient("127.0.0.1", 5038)
    assert "secret" not in repr(client).lower()


def test_a_call_that_cannot_be_stored_is_logged_and_the_link_goes_on(db, extensions, monkeypatch, caplog):
    from plugins.telephony import services

    real = services.record_call

    def refuse_x(db, values, action="pbx"):
        if values["call_id"] == "X":
            raise RuntimeError("database refused")
        return real(db, values, action)

    monkeypatch.setattr(services, "record_call", refuse_x)
    server, stop = AmiServer(), threading.Event()

    def pbx(peer: Peer) -> None:
        peer.accept_login()
        peer.show_channels()
        inbound_call(peer, "X", "600111222", "PJSIP/201-0001", T0)
        hangup(peer, "X", T0 + 9)
        inbound_call(peer, "Y", "600111333", "PJSIP/201-0002", T0 + 20)
        hangup(peer, "Y", T0 + 29)
        wait_for(lambda: listener.stored == 1)
        stop.set()
        time.sleep(0.3)

    listener = Listener(settings(server.port))
    server.serve(pbx)
    listen(listener, stop, server)
    assert set(calls(db)) == {"Y"}
    assert "call X could not be stored" in caplog.text
