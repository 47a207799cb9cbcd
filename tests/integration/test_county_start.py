"""A real county starts from nothing, using only the commands and its own two workbooks:
`huitou init` (password from a pipe) → `county load` → `register load` → `round launch` →
the pre-filled 附件1 of one village lists exactly that village's households from the register."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from web import cli_support
from web.cli import main as huitou
from workflow.platform.idcard import make_id

CODE = "652824"  # 若羌县: not the demo county, nothing may assume Qiemo
PASSWORD = "Ruoqiang-2018"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def pid(born: date, seq: int) -> str:
    return make_id(CODE, born, seq)


def lower_x(born: date) -> str:
    """An ID number whose check character is X, typed as a lower-case x."""
    return next(n for s in range(1000) if (n := pid(born, s)).endswith("X")).lower()


def save(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write the sheets as Excel would save them (openpyxl), so they are read from a real file."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def base_data(path: Path) -> Path:
    """As a county office would hand it in: a title row, columns in its own order, an extra
    column, codes typed as numbers or with full-width digits."""
    title = ["若羌县县情基础数据（2018年6月）"]
    return save(
        path,
        {
            "乡镇": [
                title,
                ["名称", "区划代码", "备注"],
                ["若羌镇", int(f"{CODE}100"), "县城"],
                ["瓦石峡乡", full_width(f"{CODE}200"), ""],
            ],
            "村": [
                title,
                ["退出年度", "是否贫困村", "名称", "所属乡镇", "区划代码"],
                [2016, "是", "团结村", "若羌镇", int(f"{CODE}100201")],
                [None, "否", "幸福村", full_width(f"{CODE}100"), f"{CODE}100202"],
                [None, "否", "瓦石峡村", "瓦石峡乡", full_width(f"{CODE}200201")],
            ],
            "部门": [
                ["名称", "代码"],
                ["县水利局", "SLJ"],
                ["县住建局", "ZJJ"],
            ],
            "人员": [
                title,
                ["姓名", "用户名", "所属单位", "角色", "手机", "邮箱"],
                ["陈扶贫", "fpb", "若羌县", "县扶贫办", int("13912345678"), ""],
                ["阿依古丽", "tj_cun", "团结村", "村级填报员", "", ""],
                ["王芳", "rqz_zg", int(f"{CODE}100"), "乡镇扶贫专干", "", ""],
                ["李强", "rqz_fzr", "若羌镇", "乡镇负责人", "", ""],
            ],
        },
    )


# The register: two households of 团结村 out of poverty (in 附件1), one of 团结村 not out yet
# (预脱贫, not looked back at), one of 幸福村 out in 2017 (another village's 附件1).
TUANJIE_A = ("RQ-001", "买买提·艾力", pid(date(1968, 3, 2), 11), 3, 2016, "王建国")
TUANJIE_B = ("RQ-002", "古丽尼沙", lower_x(date(1975, 9, 9)), 2, 2017, "刘志强")
TUANJIE_PLANNED = ("RQ-003", "吐尔逊", pid(date(1980, 1, 1), 31), 1, None, "王建国")
XINGFU = ("RQ-101", "马秀英", pid(date(1959, 12, 24), 41), 1, 2017, "张丽")


def register(path: Path) -> Path:
    """As the national system exports it, then handled in Excel: a title row, columns in
    another order with their variant names, extra columns, full-width digits, a lower-case x."""
    title = ["全国扶贫开发信息系统 建档立卡贫困户信息（若羌县）"]
    h_header = [
        "序号",
        "户主姓名",
        "户号",
        "户主身份证号",
        "行政村",
        "所属乡镇",
        "人数",
        "贫困户属性",
        "脱贫年度",
        "计划脱贫年度",
        "帮扶责任人",
        "帮扶单位",
    ]
    households = []
    for seq, (number, head, head_id, size, exit_year, helper) in enumerate(
        (TUANJIE_A, TUANJIE_B, TUANJIE_PLANNED, XINGFU), start=1
    ):
        village = "幸福村" if number == XINGFU[0] else "团结村"
        households.append(
            [
                seq,
                head,
                number,
                full_width(head_id) if number == TUANJIE_A[0] else head_id,
                village,
                "若羌镇",
                full_width(str(size)),
                "一般贫困户",
                exit_year,
                2019 if exit_year is None else None,
                helper,
                "县水利局",
            ]
        )
    m_header = ["户号", "成员姓名", "公民身份号码", "与户主关系", "备注"]
    members = [
        [TUANJIE_A[0], TUANJIE_A[1], TUANJIE_A[2], "户主", ""],
        [TUANJIE_A[0], "阿依努尔", pid(date(1970, 5, 5), 12), "配偶", ""],
        [TUANJIE_A[0], "艾合买提", pid(date(2005, 8, 8), 13), "之子", "在校"],
        [TUANJIE_B[0], TUANJIE_B[1], TUANJIE_B[2], "户主", ""],
        [TUANJIE_B[0], "迪丽拜尔", pid(date(2001, 4, 4), 22), "之女", ""],
        [TUANJIE_PLANNED[0], TUANJIE_PLANNED[1], TUANJIE_PLANNED[2], "户主", ""],
        [XINGFU[0], XINGFU[1], XINGFU[2], "户主", ""],
    ]
    return save(
        path, {"贫困户": [title, h_header, *households], "家庭成员": [title, m_header, *members]}
    )


@pytest.fixture
def huitou_cli(app, monkeypatch):
    """`huitou …` through its entry point, on this test's fresh database."""
    monkeypatch.setattr(cli_support, "make_app", lambda: app)

    def run(*args: str, input: str | None = None, ok: bool = True):
        result = CliRunner().invoke(huitou, list(args), input=input)
        if ok:
            assert result.exit_code == 0, (args, result.output, result.exception)
        return result

    return run


def test_a_county_starts_from_nothing_to_a_pre_filled_form_1(huitou_cli, tmp_path):
    # 1. An empty database; the password arrives through a pipe (not a terminal), twice.
    done = huitou_cli(
        "init",
        "--county-name",
        "若羌县",
        "--county-code",
        CODE,
        "--admin",
        "admin",
        input=f"{PASSWORD}\n" * 2,
    )
    assert "若羌县" in done.output and PASSWORD not in done.output
    assert "huitou county template" in done.output, "init says what comes next"
    # Nothing yet: a round cannot start for a county that has no townships.
    early = huitou_cli("round", "launch", "--year", "2018", "--as", "admin", ok=False)
    assert early.exit_code == 1 and "还没有乡镇" in early.output, early.output

    # 2. The base data, as the county hands it in.
    loaded = huitou_cli("county", "load", str(base_data(tmp_path / "县情.xlsx")), "--as", "admin")
    first_passwords = {
        line.split()[0] for line in loaded.output.splitlines() if line.strip().startswith("fpb")
    }
    assert first_passwords == {"fpb"}, loaded.output

    # 3. The 建档立卡 register.
    result = huitou_cli(
        "register",
        "load",
        str(register(tmp_path / "建档立卡.xlsx")),
        "--year",
        "2018",
        "--as",
        "admin",
    )
    assert "4户，7人" in result.output and "新增户: 4" in result.output, result.output

    # 4. The standards catalogue: shipped with the code for 2017–2020, nothing to load first.
    for year in (2017, 2018, 2019, 2020):
        out = tmp_path / f"{year}.json"
        huitou_cli("catalogue", "show", "--year", str(year), "-o", str(out))
        document = json.loads(out.read_text(encoding="utf-8"))
        assert document["year"] == year and document["indicators"], year

    # 5. The round, by the county office the base data created.
    launched = huitou_cli("round", "launch", "--year", "2018", "--as", "fpb")
    assert "2018-07-13" in launched.output

    # 6. 团结村's 附件1 lists its two exited households, exactly, from the register.
    form = tmp_path / "f.xlsx"
    huitou_cli("template", "1", "--round", "2018", "--village", "团结村", "-o", str(form))
    sheet = openpyxl.load_workbook(form).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)
    assert "若羌县" in text and "团结村" in text
    listed = [row for row in rows if any(v in (TUANJIE_A[1], TUANJIE_B[1]) for v in row)]
    assert len(listed) == 2, text
    for _number, head, head_id, size, exit_year, helper in (TUANJIE_A, TUANJIE_B):
        row = next(r for r in listed if head in r)
        assert {head_id.upper(), size, exit_year, helper} <= set(row), row
    for stranger in (TUANJIE_PLANNED, XINGFU):
        assert stranger[1] not in text and stranger[2] not in text
    assert "且末" not in text, "nothing of the demo county"

    # 7. And 幸福村's lists its own one.
    other = tmp_path / "g.xlsx"
    huitou_cli("template", "1", "--round", "2018", "--village", f"{CODE}100202", "-o", str(other))
    other_text = "\n".join(
        " ".join(str(v) for v in row if v is not None)
        for row in openpyxl.load_workbook(other).active.iter_rows(values_only=True)
    )
    assert XINGFU[2] in other_text and TUANJIE_A[2] not in other_text
