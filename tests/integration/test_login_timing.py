"""Logging in costs the same for a name that does not exist as for a real one with a wrong
password: one full password-hash check either way, so the time cannot tell names apart."""

from __future__ import annotations

import hashlib
import statistics
import time

import pytest

from tests.factories import at
from workflow.people import login_guard
from workflow.platform import clock
from workflow.platform.db import db

WRONG = "not-the-password-1"


@pytest.fixture
def scrypt_calls(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def _hashes_for(username: str, calls: list[int]) -> int:
    before = len(calls)
    result = login_guard.attempt_login(username, WRONG, f"10.0.0.{len(calls) % 200}")
    db.session.rollback()
    assert not result.ok
    return len(calls) - before


def test_unknown_names_and_deactivated_users_cost_one_hash_check_like_real_ones(
    county, user, scrypt_calls
):
    clock.set_now(at("2018-08-01T09:00"))
    login_guard._stand_in_hash()  # made once per process, not per attempt
    gone = user("dept_jtj")
    gone.is_active = False
    db.session.commit()
    assert _hashes_for("dept_slj", scrypt_calls) == 1
    assert _hashes_for("nobody_at_all", scrypt_calls) == 1
    assert _hashes_for("dept_jtj", scrypt_calls) == 1
    assert _hashes_for("", scrypt_calls) == 1


def _median_seconds(username: str) -> float:
    times = []
    for n in range(5):
        start = time.perf_counter()
        login_guard.attempt_login(username, WRONG, f"10.1.{n}.1")
        times.append(time.perf_counter() - start)
        db.session.rollback()
    return statistics.median(times)


def test_a_wrong_password_takes_about_as_long_for_an_unknown_name(county):
    clock.set_now(at("2018-08-01T09:00"))
    login_guard._stand_in_hash()
    known, unknown = _median_seconds("dept_slj"), _median_seconds("nobody_at_all")
    assert unknown > known * 0.4, (known, unknown)
