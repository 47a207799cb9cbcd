"""A user chooses where her mail goes and whether it comes at once or as a daily digest."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.db import db
from workflow.models import AuditEvent, DigestMode, User


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
