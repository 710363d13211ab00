"""Banco BP's Core-system adapter (CAS-03): the bank's Core system over HTTP/JSON.

The Core system's interface, as this adapter uses it (the loopback double of the tests,
``tests/customer_overrides/banco_bp/core_double.py``, serves the same):

* ``GET /clients/<code>`` — the client's data; ``GET /clients/<code>/products`` — products held;
  ``GET /clients/<code>/movements`` — recent account movements;
* ``PATCH /clients/<code>`` — modify the client's contact data;
* ``POST /transactions`` — execute a transaction; ``POST /transactions/<ref>/reversal`` —
  reverse one.

Every write carries the operation's ``Idempotency-Key``: the Core system executes a key once and
answers a repeat with the first answer. So a write, like a read, may be retried — but only on
an answer that says nothing was done (connection refused, 502/503/504) and only while the time
budget (``timeout_seconds``) lasts: a request that timed out is not sent again, the user sees
that the Core system did not answer, and the key makes the user's retry safe. A 4xx answer is a
refusal (``CoreRefused``), anything else unusable an outage (``CoreUnavailable``).
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

__all__ = ["CoreError", "CoreSettings", "client_path", "quote", "request", "settings"]

from flask_babel import gettext as _

from crm_core.toolkit import crm_state

#: Statuses that mean the Core system did nothing: worth another try within the budget.
RETRY_STATUSES = (502, 503, 504)


@dataclass(frozen=True)
class CoreSettings:
    base_url: str
    timeout: float
    retries: int


def settings() -> CoreSettings:
    state = crm_state()
    return CoreSettings(
        base_url=str(state.setting("client", "core_url")).rstrip("/"),
        timeout=float(state.setting("client", "timeout_seconds", 5.0)),
        retries=int(state.setting("client", "retries", 2)),
    )


class CoreError(Exception):
    """The Core system refused (``refused``: it answered 4xx) or could not be used."""

    def __init__(self, message: str, refused: bool = False, answer: Mapping[str, Any] | None = None,
                 timed_out: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.refused = refused
        self.timed_out = timed_out
        self.answer = dict(answer or {})


def _timed_out(budget: float) -> CoreError:
    return CoreError(_("The Core system did not answer in %(s)s seconds.", s=f"{budget:g}"), timed_out=True)


def _decode(raw: bytes) -> dict[str, Any]:
    data = json.loads(raw.decode("utf-8")) if raw else {}
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def request(
    method: str, path: str, body: Mapping[str, Any] | None = None, key: str | None = None,
    conf: CoreSettings | None = None, timeout: float | None = None,
) -> dict[str, Any]:
    """One call to the Core system; returns its JSON object or raises ``CoreError``."""
    conf = conf or settings()
    budget = timeout if timeout is not None else conf.timeout
    deadline = time.monotonic() + budget
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(dict(body), default=str).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    attempts = 0
    while True:
        attempts += 1
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timed_out(budget)
        req = urllib.request.Request(conf.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=left) as resp:
                return _decode(resp.read())
        except urllib.error.HTTPError as exc:
            try:
                answer = _decode(exc.read())
            except ValueError:
                answer = {}
            if 400 <= exc.code < 500:
                reason = str(answer.get("error") or exc.reason)
                raise CoreError(reason, refused=True, answer=answer) from None
            if exc.code in RETRY_STATUSES and attempts <= conf.retries:
                continue
            raise CoreError(_("The Core system failed (HTTP %(code)s).", code=exc.code), answer=answer) from None
        except TimeoutError:
            raise _timed_out(budget) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise _timed_out(budget) from None
            if attempts <= conf.retries:
                continue
            raise CoreError(_("The Core system cannot be reached (%(r)s).", r=exc.reason)) from None
        except ValueError:
            raise CoreError(_("The Core system gave an answer that cannot be read.")) from None


def client_path(code: str) -> str:
    return "/clients/" + quote(code, safe="")
