"""What keeps a login and a browser safe: guessing is slowed down, cookies and headers are set,
a crash shows a page a clerk understands, and each person can change her own password."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import DEMO_PASSWORD
from tests.factories import at
from web import account
from workflow.models import AuditEvent, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import get_settings

WRONG = "not-the-password-1"


def _login(client, username: str, password: str):
    client.get("/login")
    return client.post("/login", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_name_for_fifteen_minutes(county, browser):
    clock.set_now(at("2018-08-01T09:00"))
    client = browser()
    for _ in range(5):
        assert _login(client, "dept_slj", WRONG).status_code == 401

    locked = _login(client, "dept_slj", DEMO_PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试" in locked.get_data(as_text=True)
    assert client.get("/inbox").status_code == 401  # still not logged in

    clock.set_now(at("2018-08-01T09:16"))
    assert _login(client, "dept_slj", DEMO_PASSWORD).status_code == 302
    assert client.get("/inbox").status_code == 200


def test_a_good_login_clears_the_earlier_failures(county, browser):
    clock.set_now(at("2018-08-01T09:00"))
    client = browser()
    for _ in range(4):
        _login(client, "dept_slj", WRONG)
    assert _login(client, "dept_slj", DEMO_PASSWORD).status_code == 302
    other = browser()
    for _ in range(4):
        assert _login(other, "dept_slj", WRONG).status_code == 401
    assert _login(other, "dept_slj", DEMO_PASSWORD).status_code == 302


def test_one_address_guessing_many_names_is_locked_out(county, browser):
    clock.set_now(at("2018-08-01T09:00"))
    client = browser()
    names = [f"dept_{code}" for code in ("slj", "jtj", "jyj", "wjw", "zjj")]
    for round_no in range(4):
        for name in names:
            assert _login(client, name, WRONG).status_code == 401, (round_no, name)
    # Twenty failures from this address: even a name never tried is locked from here.
    assert _login(client, "fpb", DEMO_PASSWORD).status_code == 429


def test_a_locked_name_does_not_reveal_whether_the_password_was_right(county, browser):
    clock.set_now(at("2018-08-01T09:00"))
    client = browser()
    for _ in range(5):
        _login(client, "ldxz", WRONG)
    right = _login(client, "ldxz", DEMO_PASSWORD)
    wrong = _login(client, "ldxz", WRONG)
    assert right.status_code == wrong.status_code == 429


def test_pages_carry_security_headers_and_the_session_cookie_is_guarded(county, browser):
    client = browser()
    page = client.get("/login")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    response = client.post("/login", {"username": "fpb", "password": DEMO_PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "huitou_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_crash_shows_a_plain_page_without_a_stack_trace(app, county, browser, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database exploded at line 42")

    monkeypatch.setattr(account, "render_template", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    try:
        page = browser("fpb").get("/me")
    finally:
        app.testing = True
        app.config["PROPAGATE_EXCEPTIONS"] = None
    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "系统出错了" in text and "没有被部分保存" in text
    assert "Traceback" not in text and "exploded" not in text


def test_a_wrong_method_gets_a_page_not_a_bare_error(county, browser):
    page = browser("fpb").client.get("/logout")
    assert page.status_code == 405
    assert "无法这样操作" in page.get_data(as_text=True)


def _password_ok(username: str, password: str) -> bool:
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.username == username))
    return user.check_password(password)


def test_a_clerk_changes_her_own_password(county, browser):
    client = browser("buguna_cun")
    client.get("/me")
    done = client.post(
        "/me/password",
        {
            "current_password": DEMO_PASSWORD,
            "password": "Buguna-2018-water",
            "repeat_password": "Buguna-2018-water",
        },
    )
    assert done.status_code == 303
    assert _password_ok("buguna_cun", "Buguna-2018-water")
    assert not _password_ok("buguna_cun", DEMO_PASSWORD)
    assert db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "user.password_change")
    )
    assert "密码已修改" in client.get("/me").get_data(as_text=True)


def test_a_password_change_with_mistakes_says_which_field_and_changes_nothing(county, browser):
    client = browser("buguna_cun")
    client.get("/me")
    cases = [
        ({"current_password": WRONG}, "当前密码不正确"),
        ({"repeat_password": "Other-2018-water"}, "两次输入的新密码不一致"),
        ({"password": "short1", "repeat_password": "short1"}, "至少"),
    ]
    for change, message in cases:
        form = {
            "current_password": DEMO_PASSWORD,
            "password": "Buguna-2018-water",
            "repeat_password": "Buguna-2018-water",
            **change,
        }
        page = client.post("/me/password", form)
        assert page.status_code == 422
        assert message in page.get_data(as_text=True)
        assert _password_ok("buguna_cun", DEMO_PASSWORD)


def test_lock_window_follows_the_configured_minutes(county, browser):
    assert get_settings().login_lock_minutes == 15
    start = at("2018-08-01T09:00")
    clock.set_now(start)
    client = browser()
    for _ in range(5):
        _login(client, "qmz_zg", WRONG)
    clock.set_now(start + timedelta(minutes=14))
    assert _login(client, "qmz_zg", DEMO_PASSWORD).status_code == 429
