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
@click.option("--no-scenario", is_flag=True, help="Demo county only, without its 2018 so far.")
@with_app
def init(demo: bool, if_absent: bool, households: int, no_scenario: bool) -> None:
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
        if not no_scenario:
            from workflow.demo_year import REHEARSAL_START, play_demo_year

            play_demo_year()
            click.echo("已模拟 2018 年工作至 8 月 1 日。演示时钟：")
            click.echo(f"  HUITOU_REHEARSAL_START={REHEARSAL_START}")
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
    from notifications.wiring import tick_and_deliver
    from workflow import clock

    moment = clock.parse_moment(now_text) if now_text else None
    report = tick_and_deliver(moment)
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


@main.group("round")
def round_group() -> None:
    """A year's round."""


def _date(text: str | None):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"不是日期（应为 YYYY-MM-DD）：{text}") from None


def _user(username: str):
    import sqlalchemy as sa

    from workflow.db import db
    from workflow.models import User

    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        click.echo(f"错误：没有用户 {username}", err=True)
        sys.exit(1)
    return user


@round_group.command("launch")
@click.option("--year", type=int, required=True)
@click.option("--survey-due", help="摸底上报截止日期 (default MM-DD 07-13)")
@click.option("--results-due", help="成果统计表上报截止日期 (default 10-15)")
@click.option("--done-by", help="回头帮完成时限 (default 12-31)")
@click.option("--as", "username", default="fpb", show_default=True, help="Acting county officer.")
@with_app
def round_launch(
    year: int, survey_due: str | None, results_due: str | None, done_by: str | None, username: str
) -> None:
    """Launch a year's round: starts every township's survey."""
    from workflow import clock, rounds
    from workflow.db import db

    defaults = rounds.Deadlines.defaults(year)
    deadlines = rounds.Deadlines(
        _date(survey_due) or defaults.survey_due,
        _date(results_due) or defaults.results_due,
        _date(done_by) or defaults.done_by,
    )
    round_ = rounds.launch_round(year, _user(username), deadlines)
    db.session.commit()
    click.echo(
        f"已启动 {year} 年度工作：摸底截止 {round_.survey_due}，成果上报截止 "
        f"{round_.results_due}，完成时限 {round_.done_by}（均为当日 23:59:59 北京时间）。"
    )
    click.echo(f"当前时间 {clock.in_beijing(clock.now()):%Y-%m-%d %H:%M}（北京时间）。")


@main.command()
@click.argument("form_no", type=click.IntRange(1, 6))
@click.option("--round", "year", type=int, required=True)
@click.option("--village", help="村名（如 布古纳村）或区划代码")
@click.option("--township", help="乡镇名或区划代码")
@click.option("--as", "username", help="以该用户身份生成（检查其辖区）")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def template(
    form_no: int,
    year: int,
    village: str | None,
    township: str | None,
    username: str | None,
    output: str,
) -> None:
    """Write an official form: 附件1–3 pre-filled, 附件4–6 filled from the cases."""
    from pathlib import Path

    from workflow import results, rounds, survey_templates

    round_ = rounds.get_round(year)
    v = survey_templates.find_village(village) if village else None
    t = survey_templates.find_township(township) if township else None
    if form_no > 3:
        if username:
            results.require_results_scope(_user(username), form_no, v, t)
        data = results.results_form(round_, form_no, village=v, township=t)
    else:
        data = survey_templates.survey_template(form_no, round_, village=v, township=t)
    Path(output).write_bytes(data)
    click.echo(f"已生成附件{form_no}：{output}")


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "year", type=int, required=True)
@click.option("--as", "username", required=True, help="The clerk submitting the form.")
@click.option("--village", help="For a township clerk: whose form this is (村名或代码).")
@with_app
def import_form(path: str, year: int, username: str, village: str | None) -> None:
    """Import a filled 附件1/2/3: all rows or nothing; every problem listed by cell."""
    from pathlib import Path

    from workflow import rounds, survey_templates
    from workflow.db import db
    from workflow.survey import ImportRefused, import_survey

    round_ = rounds.get_round(year)
    v = survey_templates.find_village(village) if village else None
    data = Path(path).read_bytes()
    try:
        result = import_survey(data, _user(username), round_, file_name=Path(path).name, village=v)
    except ImportRefused as exc:
        db.session.rollback()
        click.echo(f"导入失败，未保存任何数据。共 {len(exc.problems)} 处问题：", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    db.session.commit()
    replaced = "（替换了之前导入的版本）" if result.replaced else ""
    click.echo(
        f"导入成功：附件{result.submission.form_no} 共 {result.rows} 行，"
        f"发现问题 {result.gaps} 条{replaced}。"
    )


@main.group()
def report() -> None:
    """Reports."""


@report.command("gaps")
@click.option("--round", "year", type=int, required=True)
@click.option("--township", help="乡镇名或区划代码")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def report_gaps(year: int, township: str | None, output: str) -> None:
    """Write the 补课清单 (one row per gap) as xlsx."""
    from pathlib import Path

    from workflow import clock, gaps, rounds, survey_templates
    from workflow.forms.gap_list import write_gap_list

    round_ = rounds.get_round(year)
    t = survey_templates.find_township(township) if township else None
    rows = gaps.gap_list(round_, township=t)
    Path(output).write_bytes(
        write_gap_list(
            gaps.gap_rows(rows), year=year, township=t.name if t else "", when=clock.today()
        )
    )
    click.echo(f"已生成补课清单：{len(rows)} 条问题 → {output}")


@report.command("plan")
@click.option("--round", "year", type=int, required=True)
@click.option("--department", "code", required=True, help="部门代码（如 SLJ）")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def report_plan(year: int, code: str, output: str) -> None:
    """Write a department's 《“回头帮”年度实施方案》 task list as xlsx."""
    from pathlib import Path

    import sqlalchemy as sa

    from workflow import rounds
    from workflow.db import db
    from workflow.department_plan import department_plan_xlsx, plan_rows
    from workflow.errors import NotFound
    from workflow.models import Department

    department = db.session.scalar(
        sa.select(Department).where(Department.code == code.strip().upper())
    )
    if department is None:
        raise NotFound(f"没有代码为“{code}”的部门。")
    round_ = rounds.get_round(year)
    Path(output).write_bytes(department_plan_xlsx(round_, department))
    tasks = len(plan_rows(round_, department))
    click.echo(f"已生成{department.name}{year}年“回头帮”年度实施方案：{tasks} 项任务 → {output}")


@report.command("accountability")
@click.option("--round", "year", type=int, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def report_accountability(year: int, output: str) -> None:
    """Write the leading group's accountability report (by township, by department, items)."""
    from pathlib import Path

    from workflow import accountability, rounds

    report = accountability.build_report(rounds.get_round(year))
    Path(output).write_bytes(accountability.report_workbook(report))
    click.echo(
        f"已生成责任落实情况报告：{len(report.by_township)} 个乡镇，"
        f"{len(report.by_department)} 个部门，追责问责事项 {len(report.items)} 项 → {output}"
    )


@main.group()
def catalogue() -> None:
    """The standards catalogue (one version per change, every change audited)."""


@catalogue.command("show")
@click.option("--year", type=int, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def catalogue_show(year: int, output: str) -> None:
    """Write the year's catalogue in force as JSON (edit it, then `catalogue load`)."""
    from pathlib import Path

    from workflow.catalogue import catalogue_record
    from workflow.db import db

    record = catalogue_record(year)
    db.session.commit()
    Path(output).write_text(record.document, encoding="utf-8")
    click.echo(f"{year} 年标准目录（第 {record.version} 版）→ {output}")


@catalogue.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="An administrator or the county office.")
@with_app
def catalogue_load(path: str, username: str) -> None:
    """Load a changed catalogue as the year's next version; every problem is listed."""
    import json
    from pathlib import Path

    from workflow.catalogue import load_catalogue
    from workflow.db import db
    from workflow.errors import ValidationFailed

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        click.echo(f"错误：文件不是有效的 JSON（{exc}）", err=True)
        sys.exit(1)
    try:
        record = load_catalogue(document, _user(username))
    except ValidationFailed as exc:
        db.session.rollback()
        click.echo("标准目录有误，未做任何改动：", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"已载入 {record.year} 年标准目录第 {record.version} 版。")


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
