"""`huitou init`: the demo county with its 2018 so far, or an empty county and its admin."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from web import cli, cli_support
from workflow.demo.year import play_demo_year
from workflow.inbox import tasks
from workflow.models import County, HelpCase, Household, Role, Round, Township, User, Village
from workflow.platform import clock
from workflow.platform.audit import verify_chain
from workflow.platform.db import db


def test_demo_year_leaves_work_in_every_inbox(county, user):
    play_demo_year()
    assert db.session.scalar(sa.select(Round.year)) == 2018
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HelpCase)) > 10
    clock.set_now(clock.parse_moment("2018-08-01T09:00"))
    for username in ("fpb", "dept_slj"):
        assert tasks.inbox(user(username)), f"{username} has nothing to do in the demo"
    assert tasks.inbox(user("katelesh_cun")) == [], "且末镇 has signed and submitted its survey"
    unsurveyed = db.session.scalar(
        sa.select(User)
        .join(Village, User.village_id == Village.id)
        .join(Township)
        .where(Township.name == "塔提让镇")
        .limit(1)
    )
    assert [t.spec_name for t in tasks.inbox(unsurveyed)] == ["village_forms"]
    village_clerks = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.role == Role.VILLAGE_CLERK)
    )
    assert village_clerks == db.session.scalar(sa.select(sa.func.count()).select_from(Village))
    assert verify_chain().ok


def test_init_without_demo_asks_for_the_password_and_never_prints_it(app, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    secret = "Qiemo-2018-secret"
    answers = f"且末县\n652825\nadmin\n{secret}\n{secret}\n"
    result = CliRunner().invoke(cli.main, ["init"], input=answers)
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    assert admin.role == Role.ADMIN and admin.check_password(secret)
    county = db.session.scalar(sa.select(County))
    assert (county.name, county.code) == ("且末县", "652825")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Township)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Household)) == 0
    again = CliRunner().invoke(cli.main, ["init"], input=answers)
    assert again.exit_code == 1 and "已有" in again.output


def test_init_refuses_a_weak_password(app, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    result = CliRunner().invoke(
        cli.main,
        ["init", "--county-name", "若羌县", "--county-code", "652824"],
        input="admin\n12345\n12345\n",
    )
    assert result.exit_code == 1 and "密码" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_init_demo_prints_the_logins(app, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    result = CliRunner().invoke(
        cli.main, ["init", "--demo", "--households", "300", "--no-scenario"]
    )
    assert result.exit_code == 0, result.output
    for username in ("admin", "fpb", "ldxz", "aoyi_zg", "buguna_cun", "dept_slj", "dept_slj_fzr"):
        assert username in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Township)) == 13
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Village).where(Village.is_exited_poor)
        )
        == 15
    )
    again = CliRunner().invoke(cli.main, ["init", "--demo", "--if-absent"])
    assert again.exit_code == 0 and "跳过" in again.output
