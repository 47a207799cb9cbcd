"""A user chooses where her mail goes and whether it comes at once or as a daily digest."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import AuditEvent, DigestMode, User, Village
from workflow.platform.db import db


def _reload(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_clerk_switches_to_a_daily_digest(county, browser):
    clerk = browser("dept_slj")
    page = clerk.get("/me").get_data(as_text=True)
    assert "每天汇总一封" in page
    answer = clerk.post("/me", {"email": "slj@qiemo.example", "digest_mode": "daily"})
    assert answer.status_code == 303
    user = _reload("dept_slj")
    assert user.digest_mode == DigestMode.DAILY and user.email == "slj@qiemo.example"
    assert (
        db.session.scalar(
            sa.select(AuditEvent.after).where(AuditEvent.action == "user.preferences")
        ).count("daily")
        == 1
    )


def test_a_bad_address_is_refused_and_nothing_changes(county, browser):
    clerk = browser("dept_slj")
    clerk.get("/me")
    answer = clerk.post("/me", {"email": "not-an-address", "digest_mode": "daily"})
    assert answer.status_code == 422 and "请填写有效的电子邮箱" in answer.get_data(as_text=True)
    user = _reload("dept_slj")
    assert user.digest_mode == DigestMode.IMMEDIATE and user.email == "dept_slj@huitou.example"


def test_admin_adds_a_village_clerk_who_then_works_her_village(county, browser):
    village = db.session.scalar(sa.select(Village).where(Village.name == "布古纳村"))
    admin = browser("admin")
    admin.get("/admin/users")
    refused = admin.post(
        "/admin/users",
        {
            "username": "buguna2",
            "display_name": "新填报员",
            "role": "village_clerk",
            "unit": "652825101",
            "email": "",
            "password": "short",
        },
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "请填写村的区划代码" in page and "密码" in page
    assert db.session.scalar(sa.select(User).where(User.username == "buguna2")) is None
    added = admin.post(
        "/admin/users",
        {
            "username": "buguna2",
            "display_name": "新填报员",
            "role": "village_clerk",
            "unit": village.code,
            "email": "",
            "password": "Buguna-2018",
        },
    )
    assert added.status_code == 303
    clerk = browser()
    clerk.get("/login")
    assert (
        clerk.post("/login", {"username": "buguna2", "password": "Buguna-2018"}).status_code == 302
    )
    new = _reload("buguna2")
    assert new.village_id == village.id and new.township_id == village.township_id
    admin.get("/admin/users")
    assert admin.post(f"/admin/users/{new.id}/active", {"active": "0"}).status_code == 303
    again = browser()
    again.get("/login")
    assert (
        again.post("/login", {"username": "buguna2", "password": "Buguna-2018"}).status_code == 401
    )


def test_admin_sets_a_new_password_and_a_weak_one_is_refused(county, browser):
    admin = browser("admin")
    admin.get("/admin/users")
    clerk = _reload("dept_slj")
    weak = admin.post(f"/admin/users/{clerk.id}/password", {"password": "12345678"})
    assert weak.status_code == 422 and "密码" in weak.get_data(as_text=True)
    assert (
        admin.post(f"/admin/users/{clerk.id}/password", {"password": "Shuili-2018"}).status_code
        == 303
    )
    fresh = browser()
    fresh.get("/login")
    assert (
        fresh.post("/login", {"username": "dept_slj", "password": "Shuili-2018"}).status_code == 302
    )
