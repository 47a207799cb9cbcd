"""The 建档立卡 register from the national system's Excel export: read whatever its layout,
refused whole with every problem by cell, and each new version compared with the last."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from tests.factories import department
from web import cli, cli_support
from workflow.cases.lifecycle import Subject, open_case
from workflow.forms.register_book import read_register
from workflow.models import HelpCase, Household, HouseholdMember, RegisterVersion, SubjectKind
from workflow.platform.db import db
from workflow.platform.idcard import make_id
from workflow.survey.flow import has_households_in_scope
from workflow.survey.templates import find_village, survey_template

H_HEADER = (
    "户编号",
    "所属乡镇",
    "行政村",
    "户主姓名",
    "户主证件号码",
    "家庭人口数",
    "贫困户属性",
    "主要致贫原因",
    "脱贫年度",
    "计划脱贫年度",
    "帮扶责任人",
    "帮扶单位",
    "联系电话",
)
M_HEADER = (
    "户编号",
    "姓名",
    "证件号码",
    "与户主关系",
    "性别",
    "出生日期",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "是否参加城乡居民基本医疗保险",
    "是否参加城乡居民基本养老保险",
    "是否享受低保",
    "是否特困供养",
    "人员状态",
)
AOYI, BUGUNA, KATELESH = "奥依亚依拉克镇", "布古纳村", "喀特勒什村"


def pid(born: date, seq: int) -> str:
    return make_id("652825", born, seq)


def x_id(born: date) -> str:
    """An ID number whose check character is X."""
    return next(n for s in range(1000) if (n := make_id("652825", born, s)).endswith("X"))


def household(
    number,
    head,
    head_id,
    size,
    *,
    exit_year=2016,
    planned=None,
    village=BUGUNA,
    attribute="一般贫困户",
    helper="王建国",
    township=AOYI,
):
    return [
        number,
        township,
        village,
        head,
        head_id,
        size,
        attribute,
        "缺资金",
        exit_year,
        planned,
        helper,
        "县水利局",
        "13899000000",
    ]


def member(
    number,
    name,
    id_number,
    relation,
    *,
    status="正常",
    birth=None,
    school="非在校生",
    subsistence="否",
):
    return [
        number,
        name,
        id_number,
        relation,
        "",
        birth,
        school,
        "健康",
        "普通劳动力",
        "是",
        "是",
        subsistence,
        "否",
        status,
    ]


def workbook(households, members, *, h_header=H_HEADER, m_header=M_HEADER, title=None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, header, rows in (("贫困户", h_header, households), ("家庭成员", m_header, members)):
        sheet = book.create_sheet(name)
        if title:
            sheet.append([title])
        sheet.append(list(header))
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_cli(app, monkeypatch, *args):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    db.session.commit()
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    db.session.expire_all()
    return result


HEAD_A, WIFE_A, SON_A = (
    pid(date(1970, 5, 1), 11),
    pid(date(1972, 3, 2), 22),
    pid(date(2008, 9, 1), 31),
)
HEAD_B, HEAD_C, HEAD_E = (
    pid(date(1965, 1, 1), 41),
    pid(date(1950, 7, 7), 51),
    pid(date(1980, 2, 2), 61),
)
GRANNY_A, BABY_A, HEAD_F = (
    pid(date(1940, 1, 1), 72),
    pid(date(2017, 6, 1), 81),
    pid(date(1985, 4, 4), 91),
)


def first_version() -> bytes:
    return workbook(
        [
            household("H-A", "阿布都拉", HEAD_A, 4),
            household("H-B", "吐尔逊", HEAD_B, 1, exit_year=None, planned=2018),
            household("H-C", "买买提", HEAD_C, 1, exit_year=2015, village=KATELESH, township=""),
            household("H-E", "热依拉", HEAD_E, 1, exit_year=None, planned=2019),
        ],
        [
            member("H-A", "阿布都拉", HEAD_A, "户主"),
            member("H-A", "阿依古丽", WIFE_A, "配偶"),
            member("H-A", "小买买提", SON_A, "之子", school="义务教育"),
            member("H-A", "奶奶", GRANNY_A, "母亲", subsistence="是"),
            member("H-B", "吐尔逊", HEAD_B, "户主"),
            member("H-C", "买买提", HEAD_C, "户主"),
            member("H-E", "热依拉", HEAD_E, "户主"),
        ],
    )


def test_a_register_in_another_layout_is_read_right(county, app, monkeypatch, tmp_path):
    head_x = x_id(date(1975, 8, 8))
    child = pid(date(2010, 10, 10), 13)
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    # Columns in another order, other header names, an extra column, a title row above.
    h_header = (
        "备注",
        "户主身份证号",
        "户主姓名",
        "人数",
        "行政村",
        "所属乡镇",
        "户号",
        "贫困户属性",
        "脱贫年度",
        "帮扶责任人",
    )
    m_header = ("身份证号", "户号", "与户主关系", "姓名", "出生日期", "民族")
    data = workbook(
        [["无", head_x.lower(), "艾力", "２", BUGUNA, AOYI, "ＨＸ-1", "低保贫困户", 2016, "李明"]],
        [
            [head_x.lower(), "HX-1", "户主", "艾力", None, "维吾尔族"],
            [child.translate(full_width), "HX-1", "之女", "古丽", "2010年10月10日", "维吾尔族"],
        ],
        h_header=h_header,
        m_header=m_header,
        title="且末县建档立卡贫困户信息（2018年）",
    )
    path = tmp_path / "register.xlsx"
    path.write_bytes(data)
    result = run_cli(
        app, monkeypatch, "register", "load", str(path), "--year", "2018", "--as", "fpb"
    )
    assert result.exit_code == 0, result.output
    home = db.session.scalar(sa.select(Household).where(Household.id_number == head_x))
    assert home is not None and home.in_register
    assert (home.household_number, home.head_name, home.family_size) == ("HX-1", "艾力", 2)
    assert (home.village.name, home.exit_year, home.attribute, home.helper_name) == (
        BUGUNA,
        2016,
        "低保贫困户",
        "李明",
    )
    members = {
        m.id_number: m
        for m in db.session.scalars(sa.select(HouseholdMember).where(HouseholdMember.in_register))
    }
    assert set(members) == {head_x, child}
    assert members[head_x].birth_date == date(1975, 8, 8), "read from the ID number"
    assert members[head_x].sex == ("男" if int(head_x[16]) % 2 else "女")
    assert members[child].birth_date == date(2010, 10, 10)
    assert "新增户: 1" in result.output
    # The demo households are not in this register: they left it, and are still stored.
    left = db.session.scalar(
        sa.select(sa.func.count()).select_from(Household).where(~Household.in_register)
    )
    assert left == len(county.households)


def test_a_register_with_a_dozen_errors_is_refused_whole_with_every_problem_by_cell(
    county, app, monkeypatch, tmp_path
):
    path = tmp_path / "register.xlsx"
    path.write_bytes(first_version())
    assert (
        run_cli(
            app, monkeypatch, "register", "load", str(path), "--year", "2018", "--as", "fpb"
        ).exit_code
        == 0
    )
    bad_head = HEAD_A[:-1] + ("0" if HEAD_A[-1] != "0" else "1")
    h1, h2, h3 = pid(date(1981, 1, 1), 101), pid(date(1982, 1, 1), 103), pid(date(1983, 1, 1), 105)
    data = workbook(
        [
            household("H-A", "阿布都拉", bad_head, 1),  # row 2: E2 check digit
            household("H-B", "吐尔逊", HEAD_B, 1, village="不存在村"),  # row 3: C3 no such village
            household(
                "H-E", "热依拉", HEAD_E, 3, attribute="困难户"
            ),  # row 4: G4 attribute, F4 size
            household("H-G", "买买提", HEAD_C, 1),  # row 5: E5 already head of H-C in the register
            household("H-H", "", h1, 1, exit_year=None),  # row 6: D6 empty name, I6 no exit year
            household("H-I", "张三", h2, "三口"),  # row 7: F7 not a number
            household("H-J", "李四", h3, 1, exit_year=1999),  # row 8: I8 year out of range
        ],
        [
            member("H-A", "阿布都拉", bad_head, "户主"),  # row 2: C2 check digit
            member("H-B", "吐尔逊", HEAD_B, "户主", birth="1965-13-45"),  # row 3: F3 bad date
            member("H-E", "热依拉", HEAD_E, "户主", status="失踪"),  # row 4: N4 status
            member("H-G", "买买提", HEAD_C, "户主", subsistence="也许"),  # row 5: L5 yes/no
            member("H-H", "某人", h1, "户主"),
            member("H-I", "张三", h2, "户主"),
            member("H-J", "李四", h3, "户主"),
            member("H-J", "李四", h3, "户主"),  # row 9: C9 duplicate ID
            member("H-Z", "无户", pid(date(1990, 1, 1), 107), "户主"),  # row 10: A10 no household
        ],
    )
    path.write_bytes(data)
    result = run_cli(
        app, monkeypatch, "register", "load", str(path), "--year", "2018", "--as", "fpb"
    )
    assert result.exit_code == 1
    for cell in (
        "贫困户!E2:",
        "贫困户!C3:",
        "贫困户!G4:",
        "贫困户!F4:",
        "贫困户!E5:",
        "贫困户!D6:",
        "贫困户!I6:",
        "贫困户!F7:",
        "贫困户!I8:",
        "家庭成员!C2:",
        "家庭成员!F3:",
        "家庭成员!N4:",
        "家庭成员!L5:",
        "家庭成员!C9:",
        "家庭成员!A10:",
    ):
        assert cell in result.output, f"{cell} missing from:\n{result.output}"
    assert "校验码错误" in result.output and "不存在村" in result.output
    assert "未做任何改动" in result.output
    # The demo county's own version, and the first one above: nothing more.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegisterVersion)) == 2
    stored = db.session.scalar(sa.select(Household).where(Household.household_number == "H-A"))
    assert stored.id_number == HEAD_A and stored.family_size == 4
    in_register = (
        sa.select(sa.func.count()).select_from(HouseholdMember).where(HouseholdMember.in_register)
    )
    assert db.session.scalar(in_register) == 7


def second_version() -> bytes:
    return workbook(
        [
            household("H-A", "阿布都拉", HEAD_A, 2),
            household("H-B", "吐尔逊", HEAD_B, 1, exit_year=2018),
            household("H-E", "热依拉", HEAD_E, 1, exit_year=None, planned=2020),
            household("H-F", "古丽", HEAD_F, 1, exit_year=2017),
        ],
        [
            member("H-A", "阿布都拉", HEAD_A, "户主"),
            member("H-A", "阿依古丽", WIFE_A, "配偶", status="迁出"),
            member("H-A", "奶奶", GRANNY_A, "母亲", status="死亡", subsistence="是"),
            member("H-A", "小宝", BABY_A, "之女", school="学龄前"),
            member("H-B", "吐尔逊", HEAD_B, "户主"),
            member("H-E", "热依拉", HEAD_E, "户主"),
            member("H-F", "古丽", HEAD_F, "户主"),
        ],
    )


def test_a_second_version_lists_every_kind_of_change_and_keeps_the_first(
    round2018, app, monkeypatch, tmp_path, browser
):
    path = tmp_path / "register.xlsx"
    path.write_bytes(first_version())
    first = run_cli(
        app, monkeypatch, "register", "load", str(path), "--year", "2018", "--as", "fpb"
    )
    assert first.exit_code == 0, first.output
    home_a = db.session.scalar(sa.select(Household).where(Household.household_number == "H-A"))
    case = open_case(
        round2018,
        Subject(SubjectKind.HOUSEHOLD, home_a.village.township, home_a.village, home_a),
        "H-WATER",
        "有安全饮水",
        department("SLJ"),
        None,
        evidence="有安全饮水：否",
    )
    db.session.commit()
    # The case page shows the household's members, the head first.
    page = browser("fpb").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "家庭成员" in page and "小买买提" in page and "义务教育" in page and "享受低保" in page
    assert page.index("阿布都拉") < page.index("奶奶")

    # The county office previews the second version on the page: listed, nothing changed.
    office = browser("fpb")
    office.get("/admin/register")
    upload = {"year": "2018", "dry_run": "1", "file": (io.BytesIO(second_version()), "r.xlsx")}
    preview = office.post("/admin/register", upload, content_type="multipart/form-data")
    assert preview.status_code == 200 and "预览：未做任何改动" in preview.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RegisterVersion)) == 2

    path.write_bytes(second_version())
    result = run_cli(
        app, monkeypatch, "register", "load", str(path), "--year", "2018", "--as", "fpb"
    )
    assert result.exit_code == 0, result.output
    out = result.output
    for line in (
        "新增户: 1",
        "古丽 (H-F)",
        "移出登记表的户: 1",
        "买买提 (H-C)",
        "新脱贫户: 1",
        "吐尔逊 (H-B) 2018",
        "预脱贫年度变化: 2",
        "热依拉 (H-E) 2019 → 2020",
        "家庭人口数变化: 1",
        "阿布都拉 (H-A) 4 → 2",
        "新增成员: 1",
        "减少成员: 1",
        "成员死亡: 1",
        "成员迁出: 1",
        "第3版",
    ):
        assert line in out, f"{line!r} missing from:\n{out}"
    # Nothing of the first version is lost: the leaver is marked, the case is where it was.
    left = db.session.scalar(sa.select(Household).where(Household.household_number == "H-C"))
    assert left is not None and not left.in_register and left.left_version_id is not None
    assert db.session.get(HelpCase, case.id).household_id == home_a.id
    son = db.session.scalar(sa.select(HouseholdMember).where(HouseholdMember.id_number == SON_A))
    granny = db.session.scalar(
        sa.select(HouseholdMember).where(HouseholdMember.id_number == GRANNY_A)
    )
    assert not son.in_register and granny.status == "deceased"
    versions = db.session.scalars(sa.select(RegisterVersion.number)).all()
    assert sorted(versions) == [1, 2, 3], "the demo's version, then the two above"


def test_form_1_and_the_round_scope_read_the_register(
    round2018, county, app, monkeypatch, tmp_path
):
    path = tmp_path / "register.xlsx"
    path.write_bytes(first_version())
    assert (
        run_cli(
            app, monkeypatch, "register", "load", str(path), "--year", "2018", "--as", "fpb"
        ).exit_code
        == 0
    )
    sheet = load_workbook(
        io.BytesIO(survey_template(1, round2018, village=find_village(BUGUNA)))
    ).active
    text = "\n".join(
        " ".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True)
    )
    # H-A (exited 2016) only: H-B is not out yet, H-C lives in another village, and the demo
    # households left the register when this one was loaded.
    row_a = next(row for row in sheet.iter_rows(values_only=True) if HEAD_A in row)
    assert {4, 2016, "王建国", "阿布都拉"} <= set(row_a), row_a
    assert HEAD_B not in text and HEAD_C not in text
    assert not any(
        h.id_number in text
        for h in db.session.scalars(sa.select(Household).where(~Household.in_register))
    )
    # A round's scope: a village whose households all left the register has none left to survey.
    other = next(v for v in county.villages if v.name not in (BUGUNA, KATELESH))
    assert county.households_of(other.code), "the demo had households there"
    assert not has_households_in_scope(round2018, find_village(other.code))
    assert has_households_in_scope(round2018, find_village(BUGUNA))


def test_the_blank_register_reads_back_as_its_one_example(app, monkeypatch, tmp_path):
    out = tmp_path / "建档立卡.xlsx"
    result = run_cli(app, monkeypatch, "register", "template", "-o", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["贫困户", "家庭成员", "说明"]
    assert [c.value for c in book["贫困户"][1]][:5] == [
        "户编号",
        "所属乡镇",
        "行政村",
        "户主姓名",
        "户主证件号码",
    ]
    assert book["贫困户"]["A1"].font.b, "the header row is bold"
    read = read_register(out.read_bytes())
    assert not read.errors and len(read.households) == 1 and len(read.members) == 3
