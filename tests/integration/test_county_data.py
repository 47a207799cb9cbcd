"""A real county starts: `huitou init` for any county, then its base data (乡镇, 村, 部门, 人员)
from one workbook — by command or on the set-up page — all or nothing, and again to update."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import ROOT, Browser, IsolatedClient
from web import cli_support
from web.cli import main as huitou
from workflow.county.base_data import load_base_data, rename_history
from workflow.county.setup import create_county
from workflow.models import AuditEvent, County, Department, Role, Township, User, Village
from workflow.platform.audit import verify_chain
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed

ADMIN_PASSWORD = "Ruoqiang-2018"
CODE = "652824"  # 若羌县, a neighbour of Qiemo: nothing assumes Qiemo


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def empty_county(app):
    """A county just created by `huitou init`: its administrator and nothing else."""
    create_county("若羌县", CODE, "admin", ADMIN_PASSWORD)
    db.session.commit()
    return db.session.scalar(sa.select(User).where(User.username == "admin"))


@pytest.fixture
def cli(app, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(huitou, list(args), input=input)

    return run


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx of the given sheets, written by openpyxl as Excel would save it."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_sheets() -> dict[str, list[list[object]]]:
    return {
        "乡镇": [
            ["区划代码", "名称"],
            [f"{CODE}100", "若羌镇"],
            [f"{CODE}200", "瓦石峡乡"],
        ],
        "村": [
            ["区划代码", "名称", "所属乡镇", "是否贫困村", "退出年度"],
            [f"{CODE}100201", "团结村", "若羌镇", "是", 2016],
            [f"{CODE}100202", "幸福村", f"{CODE}100", "否", None],
            [f"{CODE}200201", "瓦石峡村", "瓦石峡乡", "否", None],
        ],
        "部门": [
            ["代码", "名称", "职责条款"],
            ["SLJ", "县水利局", "六.10"],
            ["JTJ", "县交通局", "六.13"],
        ],
        "人员": [
            ["用户名", "姓名", "角色", "所属单位", "手机", "邮箱"],
            ["tj_cun", "阿依古丽", "村级填报员", "团结村", "13912345678", ""],
            ["rqz_zg", "王芳", "乡镇扶贫专干", "若羌镇", "", "wf@example.com"],
            ["rqz_fzr", "李强", "乡镇负责人", f"{CODE}100", "", ""],
            ["slj_jb", "张水利", "部门经办人", "SLJ", "", ""],
            ["jtj_fzr", "赵交通", "部门负责人", "县交通局", "", ""],
            ["fpb", "陈扶贫", "县扶贫办", "若羌县", "", ""],
        ],
    }


def test_init_reads_the_county_and_the_password_from_a_pipe(tmp_path: Path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUITOU_INSTANCE_DIR": str(tmp_path),
        "HUITOU_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
    }
    command = [sys.executable, "-m", "web.cli", "init", "--county-name", "若羌县"]
    done = subprocess.run(
        [*command, "--county-code", CODE],
        input=f"admin\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "若羌县" in done.stdout and ADMIN_PASSWORD not in done.stdout
    engine = sa.create_engine(env["HUITOU_DATABASE_URL"])
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name, code FROM county")).one() == ("若羌县", CODE)
    engine.dispose()


def test_init_refuses_a_county_code_that_is_not_six_digits(cli):
    result = cli("init", "--county-name", "若羌县", "--county-code", "65282", input="a\nb\nb\n")
    assert result.exit_code == 1 and "6位" in result.output
    assert _count(County) == 0 and _count(User) == 0


def test_the_template_filled_in_and_loaded_makes_the_county(empty_county, cli, tmp_path):
    path = tmp_path / "县情基础数据.xlsx"
    assert cli("county", "template", "-o", str(path)).exit_code == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["乡镇", "村", "部门", "人员", "说明"]
    assert [c.value for c in book["村"][1]] == [
        "区划代码",
        "名称",
        "所属乡镇",
        "是否贫困村",
        "退出年度",
    ]
    assert book["乡镇"]["A2"].value == f"{CODE}100", "the example is under the county's own code"
    assert "全部正确才导入" in "".join(str(c.value) for c in book["说明"]["A"])
    for name, rows in good_sheets().items():
        ws = book[name]
        ws.delete_rows(2)
        for row in rows[1:]:
            ws.append(row)
    book.save(path)

    result = cli("county", "load", str(path), "--as", "admin")

    assert result.exit_code == 0, result.output
    assert (_count(Township), _count(Village), _count(Department)) == (2, 3, 2)
    clerk = db.session.scalar(sa.select(User).where(User.username == "tj_cun"))
    assert clerk.role == Role.VILLAGE_CLERK and clerk.village.name == "团结村"
    assert clerk.township.name == "若羌镇" and clerk.phone == "13912345678"
    assert clerk.must_change_password
    first_password = next(line for line in result.output.splitlines() if "tj_cun" in line).split()[
        -1
    ]
    assert clerk.check_password(first_password)
    leader = db.session.scalar(sa.select(User).where(User.username == "jtj_fzr"))
    assert leader.department.code == "JTJ"
    assert db.session.scalar(sa.select(Village).where(Village.name == "团结村")).exit_year == 2016
    assert "NYJ" in result.output, "warns of the routing table's departments the county lacks"
    assert verify_chain().ok


def test_a_messy_workbook_is_read_right(empty_county):
    data = workbook(
        {
            "乡镇": [
                ["若羌县乡镇一览（2018年）"],  # a title row above the header
                ["备注", "乡镇名称", "乡镇代码"],  # reordered, other names, an extra column
                ["", "若羌镇", int(f"{CODE}100000")],  # 12 digits ending 000, as a number
                ["新设", "瓦石峡乡", "６５２８２４２００"],  # full-width digits
            ],
            "村": [
                ["所属乡镇", "退出年度", "村名", "是否贫困村", "行政区划代码", "村干部"],
                ["若羌镇", "２０１６", "团结村", "√", float(f"{CODE}100201"), "某某"],
                ["瓦石峡乡", None, "瓦石峡村", "否", f" {CODE}200201 ", ""],
            ],
            "部门": [["部门名称", "部门代码"], ["县水利局", "slj"]],
            "人员": [
                ["姓名", "账号", "岗位", "单位", "手机号码"],
                ["阿依古丽", "tj_cun", "村级填报员", "若羌镇团结村", 13912345678],
            ],
        }
    )
    report = load_base_data(data, empty_county)
    db.session.commit()
    towns = dict(db.session.execute(sa.select(Township.code, Township.name)).all())
    assert towns == {f"{CODE}100": "若羌镇", f"{CODE}200": "瓦石峡乡"}
    tuanjie = db.session.scalar(sa.select(Village).where(Village.code == f"{CODE}100201"))
    assert (tuanjie.name, tuanjie.is_exited_poor, tuanjie.exit_year) == ("团结村", True, 2016)
    assert db.session.scalar(sa.select(Village.code).where(Village.name == "瓦石峡村")) == (
        f"{CODE}200201"
    )
    assert db.session.scalar(sa.select(Department.code)) == "SLJ"
    clerk = db.session.scalar(sa.select(User).where(User.username == "tj_cun"))
    assert clerk.village_id == tuanjie.id and clerk.phone == "13912345678"
    assert [p.username for p in report.first_passwords] == ["tj_cun"]


def test_a_workbook_with_a_dozen_errors_names_every_cell_and_stores_nothing(empty_county):
    data = workbook(
        {
            "乡镇": [
                ["区划代码", "名称"],
                [f"{CODE}100", "若羌镇"],
                ["652825100", "且末镇"],  # A3: another county's code
                [f"{CODE}100", "铁干里克乡"],  # A4: duplicate code
            ],
            "村": [
                ["区划代码", "名称", "所属乡镇", "是否贫困村", "退出年度"],
                [f"{CODE}100201", "团结村", "若羌镇", "否", 2016],  # E2: exit year, not poor
                [f"{CODE}100202", "幸福村", "罗布泊镇", "否", None],  # C3: unknown township
                ["65282410020", "光明村", "若羌镇", "否", None],  # A4: 11 digits
                [f"{CODE}100204", "红旗村", "若羌镇", "是", None],  # E5: poor, no exit year
                [f"{CODE}200205", "东风村", "若羌镇", "否", None],  # A6: not under its township
                [f"{CODE}100201", "团结二村", "若羌镇", "好像是", None],  # A7 dup, D7 unreadable
            ],
            "部门": [["代码", "名称"], ["SLJ", "县水利局"], ["SLJ", "县水务局"]],  # A3: dup
            "人员": [
                ["用户名", "姓名", "角色", "所属单位", "手机", "邮箱"],
                ["tj_cun", "阿依古丽", "村级填报员", "若羌镇", "", ""],  # D2: a township
                ["wf", "王芳", "扶贫专员", "若羌镇", "", ""],  # A3: too short; C3: no such role
                ["slj_jb", "张水利", "部门经办人", "", "", "not-an-email"],  # D4 empty, F4
                ["slj_jb", "张水利", "部门经办人", "SLJ", "", ""],  # A5: duplicate username
            ],
        }
    )
    before = (_count(Township), _count(Village), _count(User), _count(AuditEvent))
    with pytest.raises(ValidationFailed) as refused:
        load_base_data(data, empty_county)
    db.session.rollback()
    problems = refused.value.messages()
    cells = [p.field for p in refused.value.problems]
    expected = [
        "乡镇!A3",
        "乡镇!A4",
        "村!E2",
        "村!C3",
        "村!A4",
        "村!E5",
        "村!A6",
        "村!A7",
        "村!D7",
        "部门!A3",
        "人员!D2",
        "人员!A3",
        "人员!C3",
        "人员!D4",
        "人员!F4",
        "人员!A5",
    ]
    assert sorted(cells) == sorted(expected), problems
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p.split(": ", 1)[1]) for p in problems)
    assert any("652825100" in p and "本县" in p for p in problems)
    assert any(p.startswith("人员!D2") and "村级填报员" in p and "乡镇" in p for p in problems)
    after = (_count(Township), _count(Village), _count(User), _count(AuditEvent))
    assert after == before


def test_a_second_load_updates_keeps_renames_and_deactivates_who_is_left_out(empty_county):
    load_base_data(workbook(good_sheets()), empty_county)
    db.session.commit()
    sheets = good_sheets()
    sheets["乡镇"][1][1] = "若羌新镇"  # renamed, and so named where the file refers to it
    sheets["村"][1][2] = sheets["人员"][2][3] = "若羌新镇"
    sheets["村"][2][3:] = ["是", 2017]  # 幸福村 now an exited poor village
    sheets["部门"][1][1] = "县水利局（水务局）"
    sheets["人员"][1][1] = "阿依古丽·买买提"
    sheets["人员"] = [row for row in sheets["人员"] if row[0] != "slj_jb"]
    sheets["人员"].append(["new_zg", "新人", "乡镇扶贫专干", "瓦石峡乡", "", ""])

    report = load_base_data(workbook(sheets), empty_county)
    db.session.commit()

    assert _count(Township) == 2 and _count(Village) == 3
    assert db.session.scalar(sa.select(Township.name).where(Township.code == f"{CODE}100")) == (
        "若羌新镇"
    )
    xingfu = db.session.scalar(sa.select(Village).where(Village.name == "幸福村"))
    assert (xingfu.is_exited_poor, xingfu.exit_year) == (True, 2017)
    gone = db.session.scalar(sa.select(User).where(User.username == "slj_jb"))
    assert gone is not None and not gone.is_active, "deactivated, never deleted"
    assert empty_county.is_active, "the administrator loading the file is never deactivated"
    assert report.deactivated == ["slj_jb"]
    assert [p.username for p in report.first_passwords] == ["new_zg"]
    renames = {(r.kind, r.before, r.after) for r in rename_history()}
    assert renames == {
        ("township", "若羌镇", "若羌新镇"),
        ("department", "县水利局", "县水利局（水务局）"),
        ("user", "阿依古丽", "阿依古丽·买买提"),
    }
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "user.deactivate")
        )
        == 1
    )
    assert verify_chain().ok


def _admin_browser(app) -> Browser:
    b = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
    assert b.login("admin", ADMIN_PASSWORD).status_code == 302
    return b


def test_the_set_up_page_loads_the_workbook_and_shows_first_passwords_once(app, empty_county):
    admin = _admin_browser(app)
    page = admin.get("/admin/county").get_data(as_text=True)
    assert "县情设置" in page and "乡镇 0 个" in page and "/admin/register" in page
    blank = admin.get("/admin/county/template.xlsx")
    assert blank.status_code == 200
    assert "人员" in openpyxl.load_workbook(io.BytesIO(blank.data)).sheetnames

    response = admin.post(
        "/admin/county",
        {"file": (io.BytesIO(workbook(good_sheets())), "县情基础数据.xlsx")},
        content_type="multipart/form-data",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "初始密码" in page and "tj_cun" in page
    assert "乡镇 2 个，村 3 个（贫困村 1 个），部门 2 个" in page
    assert "初始密码" not in admin.get("/admin/county").get_data(as_text=True).split("一、")[0]


def test_the_set_up_page_lists_every_problem_and_changes_nothing(app, empty_county):
    admin = _admin_browser(app)
    sheets = good_sheets()
    sheets["村"][1][2] = "罗布泊镇"
    response = admin.post(
        "/admin/county",
        {"file": (io.BytesIO(workbook(sheets)), "x.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "村!C2" in response.get_data(as_text=True)
    assert _count(Township) == 0


def test_a_new_person_changes_her_first_password_before_anything_else(app, empty_county):
    report = load_base_data(workbook(good_sheets()), empty_county)
    db.session.commit()
    first = next(p.password for p in report.first_passwords if p.username == "rqz_zg")
    clerk = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
    assert clerk.login("rqz_zg", first).status_code == 302
    held = clerk.get("/inbox")
    assert held.status_code == 302 and held.headers["Location"].endswith("/me")
    changed = clerk.post(
        "/me/password",
        {
            "current_password": first,
            "password": "Wangfang-2018",
            "repeat_password": "Wangfang-2018",
        },
    )
    assert changed.status_code == 303
    assert clerk.get("/inbox").status_code == 200


def test_county_load_exits_1_with_every_problem_by_cell(empty_county, cli, tmp_path):
    sheets = good_sheets()
    sheets["村"][1][2] = "罗布泊镇"
    sheets["人员"][1][2] = "村支书"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(sheets))

    result = cli("county", "load", str(path), "--as", "admin")

    assert result.exit_code == 1
    assert "村!C2" in result.output and "人员!C2" in result.output
    assert "未导入" in result.output
    assert _count(Township) == 0 and _count(User) == 1
