"""Sessions the server can end: logging out, a new password and deactivation end every session
of that user, a saved cookie included; "log out everywhere" on /me, with the recent sign-ins."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import DEMO_PASSWORD, Browser, IsolatedClient
from tests.factories import at
from workflow.people import accounts
from workflow.platform import clock
from workflow.platform.db import db

NEW_PASSWORD = "Water-2018-safe"


def _cookie(client: Browser) -> str:
    return client.client.get_cookie("huitou_session").value


def _with_cookie(app, cookie: str) -> Browser:
    """Another browser that replays a saved session cookie."""
    thief = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
    thief.client.set_cookie("huitou_session", cookie)
    return thief


def test_a_cookie_saved_before_logout_no_longer_works(app, county, browser):
    clerk = browser("dept_slj")
    saved = _cookie(clerk)
    assert _with_cookie(app, saved).get("/inbox").status_code == 200
    other_device = browser("dept_slj")
    assert clerk.post("/logout").status_code == 302
    assert _with_cookie(app, saved).get("/inbox").status_code == 401
    assert other_device.get("/inbox").status_code == 401, "logging out ends every session"
    assert browser("dept_slj").get("/inbox").status_code == 200, "a new login works"


def test_a_password_changed_elsewhere_ends_the_other_sessions(app, county, browser):
    phone = browser("dept_slj")
    saved = _cookie(phone)
    desk = browser("dept_slj")
    response = desk.post(
        "/me/password",
        {
            "current_password": DEMO_PASSWORD,
            "password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert desk.get("/inbox").status_code == 200, "the session that changed it goes on"
    assert phone.get("/inbox").status_code == 401
    assert _with_cookie(app, saved).get("/inbox").status_code == 401


def test_a_reset_by_the_administrator_ends_the_user_s_sessions(app, county, browser, user):
    clerk = browser("dept_slj")
    accounts.reset_password(user("admin"), user("dept_slj"), NEW_PASSWORD)
    db.session.commit()
    assert clerk.get("/inbox").status_code == 401


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, county, browser, user):
    clerk = browser("dept_slj")
    saved = _cookie(clerk)
    accounts.set_active(user("admin"), user("dept_slj"), False)
    db.session.commit()
    assert clerk.get("/inbox").status_code == 401
    accounts.set_active(user("admin"), user("dept_slj"), True)
    db.session.commit()
    assert _with_cookie(app, saved).get("/inbox").status_code == 401


def test_me_lists_recent_sign_ins_and_logs_out_everywhere(app, county, browser):
    clock.set_now(at("2018-08-01T09:00"))
    stranger = browser()
    stranger.login("dept_slj", "not-the-password-1")
    clock.set_now(at("2018-08-01T09:05"))
    laptop, desk = browser("dept_slj"), browser("dept_slj")
    page = desk.get("/me").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    assert [unescape(r[2]) for r in rows] == ["登录成功", "登录成功", "密码错误"]
    assert rows[0][0].startswith("2018-08-01 09:05")
    assert "在所有设备上退出" in page

    response = desk.post("/me/sessions/end")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert desk.get("/inbox").status_code == 401
    assert laptop.get("/inbox").status_code == 401
    assert browser("dept_slj").get("/inbox").status_code == 200
