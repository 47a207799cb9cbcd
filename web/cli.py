"""The `huitou` command: set up a county, rehearse deadlines, check the audit chain, serve."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask import Flask

from workflow.errors import DomainError


def _app() -> Flask:
    from web.app import create_app

    return create_app()


def with_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command inside an app context on an up-to-date database; explain domain refusals."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from workflow.db import db
        from workflow.schema import upgrade_database

        app = _app()
        with app.app_context():
            upgrade_database()
            try:
                return fn(*args, **kwargs)
            except DomainError as exc:
                db.session.rollback()
                click.echo(f"错误：{exc.message}", err=True)
                sys.exit(1)

    return wrapper


@click.group()
def main() -> None:
    """huitou 回头看·回头帮 — 且末县 case management on SpiffWorkflow."""


@main.command()
@click.option("--demo", is_flag=True, help="Create the demo county with synthetic people.")
@click.option("--if-absent", is_flag=True, help="Do nothing (exit 0) if a county already exists.")
@click.option("--households", default=3500, show_default=True, help="Demo households.")
@with_app
def init(demo: bool, if_absent: bool, households: int) -> None:
    """Create the county: the demo county, or an empty one with an administrator."""
    from workflow import county_setup
    from workflow.db import db
    from workflow.demo_data import build_demo_county

    if county_setup.county_exists():
        if if_absent:
            click.echo("数据库中已有县的数据，跳过初始化。")
            return
        click.echo("错误：数据库中已有县的数据，未做任何改动。", err=True)
        sys.exit(1)
    if demo:
        logins = county_setup.load_demo_county(build_demo_county(households=households))
        db.session.commit()
        password = county_setup.DEMO_PASSWORD
        click.echo(f"已创建演示县：且末县（{households} 户）。演示账号（密码均为 {password}）：")
        for login in logins:
            role = login.role.value
            click.echo(f"  {login.username:<16} {login.display_name:<8} {role:<18} {login.unit}")
        return
    username = click.prompt("管理员用户名", default="admin")
    password = click.prompt("管理员密码", hide_input=True, confirmation_prompt=True)
    county_setup.create_county("且末县", "652825", username, password)
    db.session.commit()
    click.echo(f"已创建且末县和管理员账号 {username}。")


@main.command()
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Run the tick as if it were this moment, "
    "e.g. 2018-07-14T09:00+08:00 (no offset means Beijing time).",
)
@with_app
def tick(now_text: str | None) -> None:
    """Fire every timer that is due (at --now, to rehearse deadlines)."""
    from workflow import clock, scheduler

    moment = clock.parse_moment(now_text) if now_text else None
    report = scheduler.tick(moment)
    if not report.acquired:
        click.echo("另一个调度进程正在运行，本次未执行。")
        sys.exit(2)
    when = clock.in_beijing(report.moment).strftime("%Y-%m-%d %H:%M")
    click.echo(
        f"{when}（北京时间）：推进 {len(report.advanced)} 个流程，失败 {len(report.failed)} 个。"
    )
    for instance_id, problem in report.failed.items():
        click.echo(f"  流程 {instance_id} 失败：{problem}", err=True)
    if report.failed:
        sys.exit(1)


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@with_app
def audit_verify() -> None:
    """Check the whole hash chain; name the first broken link."""
    from workflow.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"审计链完整：共 {report.checked} 条记录。")
        return
    click.echo(f"审计链断裂：第 {report.broken_seq} 条记录 — {report.problem}", err=True)
    sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="Serve without running timers.")
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Serve the web app (and run the scheduler) at http://HOST:PORT."""
    from waitress import serve as waitress_serve

    from web.scheduling import start_scheduler
    from workflow.schema import upgrade_database

    app = _app()
    with app.app_context():
        upgrade_database()
    if not no_scheduler:
        start_scheduler(app)
    click.echo(f"huitou 已启动：http://{host}:{port}")
    waitress_serve(app, host=host, port=port, threads=8)


if __name__ == "__main__":
    main()
