"""The official forms: real .xlsx files written, filled the way clerks fill them, and read back."""

import io
import random
import zipfile
from datetime import date

import openpyxl
import pytest

from workflow.forms import (
    FormError,
    HouseholdRow,
    ResultRow,
    ResultsContext,
    ResultsTotals,
    SurveyContext,
    VillageRow,
    read_survey_form,
    results_totals,
    survey_layout,
    write_results_form,
    write_survey_form,
)
from workflow.forms.reader import summarize_errors
from workflow.platform.idcard import check_digit, make_id
from workflow.programme.standards import Finding, evaluate
from workflow.programme.standards_document import load_standard, parse_standard, standard_to_dict

TOWN, VILLAGE = "奥依亚依拉克镇", "布古纳村"
COUNTY = "且末县"
HOUSEHOLD_ANSWERS = "GHIJKLMNOPQ"  # the eleven 是/否 columns of 附件1 (2018)
ANSWER_CODES = ["H-WATER", "H-POWER", "H-TV", "H-DIBAO/eligible", "H-DIBAO", "H-EDU"]
ANSWER_CODES += ["H-MEDICAL", "H-PENSION"]
ANSWER_CODES += ["H-HOUSING", "A-FOUR", "A-BOOKLET"]


def person(seq: int, year: int = 1970) -> str:
    return make_id("652825", date(year, 3, 4), seq)


def id_ending_in_x() -> str:
    return next(i for i in (person(s, 1982) for s in range(1000)) if i.endswith("X"))


def household(n: int, id_number: str | None = None) -> HouseholdRow:
    return HouseholdRow(f"户主{n}", id_number or person(n), 4, 2016, "李建国", "13899001122")


def edit(data: bytes, cells: dict, formats: dict | None = None, sheet: str = "附件1") -> bytes:
    """Return the workbook with some cells changed, as a clerk would save it from Excel."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def answers_at(row: int, values: list) -> dict:
    """Return the eleven 是/否 answers of a 附件1 row, as the clerk wrote them."""
    return {f"{c}{row}": v for c, v in zip(HOUSEHOLD_ANSWERS, values, strict=True)}


def answered(row: int) -> dict:
    """Return valid answers for every indicator of a 附件1 row."""
    return {f"F{row}": 3500, **{f"{c}{row}": "是" for c in HOUSEHOLD_ANSWERS}}


@pytest.fixture
def std():
    return load_standard(2018)


@pytest.fixture
def form1(std):
    def make(households, **kw) -> bytes:
        context = SurveyContext(TOWN, VILLAGE, date(2018, 7, 10), households, county=COUNTY, **kw)
        return write_survey_form(1, std, context)

    return make


def test_form1_columns_follow_the_official_order_and_the_catalogue(std):
    headers = " ".join(c.header for c in survey_layout(1, std).columns)
    assert headers == (
        "序号 户主姓名 身份证号 家庭人口 脱贫年度 人均纯收入（元） "
        "有安全饮水 有生活用电 有广播电视 符合低保条件 已纳入低保 义务教育有保障 基本医疗有保障 "
        "基本养老有保障 "
        "住房安全有保障 档案“四统一” 帮扶手册、扶持证填写规范 存在问题 帮扶责任人 联系电话 备注"
    )


def test_form1_looks_like_the_official_attachment(std, form1):
    ws = openpyxl.load_workbook(io.BytesIO(form1([household(1), household(2)])))["附件1"]
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "且末县奥依亚依拉克镇布古纳村脱贫人口“回头看”基础信息摸底表"
    assert "A2:U2" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].font.b and ws["A2"].font.sz == 16 and ws["A2"].alignment.horizontal == "center"
    assert ws["A3"].value == "乡镇：奥依亚依拉克镇　　村：布古纳村"
    assert ws["O3"].value == "填报日期：2018年7月10日"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A4:A5", "F4:K4", "L4:O4", "P4:Q4"} <= merged
    assert (ws["F4"].value, ws["L4"].value, ws["P4"].value) == ("五有", "四保障", "档案资料")
    assert ws["F5"].value.replace("\n", "") == "人均纯收入（元）"
    assert ws["F5"].fill.fgColor.rgb.endswith("D9D9D9") and ws["F5"].alignment.wrap_text
    assert [ws.cell(6, c).value for c in range(1, 6)] == [1, "户主1", person(1), 4, 2016]
    assert ws["C6"].data_type == "s" and ws["C6"].number_format == "@"
    assert ws["H6"].border.left.style == "thin"
    footer = " ".join(str(c.value) for c in ws[9] if c.value)
    for label in ("填表人：", "审核人：", "负责人（签字）：", "日期："):
        assert label in footer
    assert ws.freeze_panes == "D6"  # header rows and 序号 · 户主姓名 · 身份证号 stay in view
    assert ws.print_title_rows == "$4:$5"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    lists = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert lists['"是,否"'].split() == [f"{c}6:{c}7" for c in "GHIJKMOPQ"]
    # 义务教育 and 基本养老 apply only where the register has a member of the age (不涉及)
    assert lists['"是,否,不涉及"'].split() == ["L6:L7", "N6:N7"]


def test_forms_2_and_3_are_prefilled_with_villages_and_the_township(std):
    villages = [VillageRow(TOWN, VILLAGE, 2017), VillageRow(TOWN, "阿尔帕村", 2016)]
    ws = openpyxl.load_workbook(
        io.BytesIO(write_survey_form(2, std, SurveyContext(TOWN, villages=villages, county=COUNTY)))
    )["附件2"]
    assert ws["A2"].value == "且末县退出贫困村“回头看”基础信息摸底表"
    assert [[c.value for c in row[:4]] for row in ws.iter_rows(min_row=6, max_row=7)] == [
        [1, TOWN, VILLAGE, 2017],
        [2, TOWN, "阿尔帕村", 2016],
    ]
    ws = openpyxl.load_workbook(
        io.BytesIO(write_survey_form(3, std, SurveyContext(TOWN, county=COUNTY)))
    )["附件3"]
    assert ws["A2"].value == "且末县奥依亚依拉克镇“回头看”基础信息摸底表"
    assert [ws["A6"].value, ws["B6"].value] == [1, TOWN]


def test_messy_clerk_answers_are_read_back_exactly(std, form1):
    idx = id_ending_in_x()
    data = form1(
        [
            HouseholdRow("买买提·吐尔逊", person(1), 5, 2016, "李建国", "13899001122"),
            HouseholdRow("古丽娜尔·艾买提", idx, 3, 2017, "王芳", ""),
            HouseholdRow("张建华", person(3), 6, 2015, "王芳", ""),
        ]
    )
    fullwidth_id = idx[:-1].translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}) + "x"
    # fmt: off
    messy = {
        **answers_at(6, ["√", "✓", "有", "是", "是", 1, "Y", "对", True, " 是 ", "ｙｅｓ"]),
        **answers_at(7, ["×", "✗", "无", "否", "否", 0, "N", "错", False, "x", "没有"]),
        **answers_at(8, ["是"] * 11),
        "F6": "３，２００元", "T6": 13899001122,  # phone typed as a number
        "C7": fullwidth_id, "F7": 2650, "R7": "饮水管道未入户",
        "D8": "6人", "E8": "２０１５年", "F8": " 4,100.50 ",
        "A9": 4, "B9": "   ",  # a numbered blank row above the signature
        "A12": "说明：本表由村委会填写",  # a note below the signature
    }
    # fmt: on
    data = edit(data, messy)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["附件1"].column_dimensions["U"].hidden = True
    book["附件1"].column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)

    parsed = read_survey_form(1, std, out.getvalue())

    assert parsed.errors == []
    yes = dict.fromkeys(ANSWER_CODES, True)
    no = dict.fromkeys(yes, False)
    # fmt: off
    assert [(r.row, r.values) for r in parsed.rows] == [
        (6, {"name": "买买提·吐尔逊", "id_number": person(1), "family_size": 5, "exit_year": 2016,
             "H-INCOME": 3200.0, **yes,
             "helper": "李建国", "phone": "13899001122"}),
        (7, {"name": "古丽娜尔·艾买提", "id_number": idx, "family_size": 3, "exit_year": 2017,
             "H-INCOME": 2650.0, **no,
             "problems": "饮水管道未入户", "helper": "王芳"}),
        (8, {"name": "张建华", "id_number": person(3), "family_size": 6, "exit_year": 2015,
             "H-INCOME": 4100.5, **yes, "helper": "王芳"}),
    ]
    # fmt: on
    assert parsed.rows[1].cells["H-INCOME"] == "F7" and parsed.rows[1].cells["id_number"] == "C7"
    assert parsed.ok


def test_read_answers_evaluate_into_the_expected_gaps(std, form1):
    data = edit(form1([household(1)]), {**answered(6), "F6": "2,650", "I6": "×"})
    row = read_survey_form(1, std, data).rows[0]
    assert evaluate(std, "household", row.values) == [
        Finding("H-INCOME", "人均纯收入 2,650 元，未超过 2018 年标准 2,995 元"),
        Finding("H-TV", "有广播电视：否"),
    ]


def test_every_problem_of_a_bad_form_is_reported_with_its_cell(std, form1):
    ids = [person(n) for n in range(1, 11)]
    data = form1([household(n + 1, ids[n]) for n in range(10)])
    cells = {}
    for row in range(6, 16):
        cells.update(answered(row))
    wrong_check = ids[0][:-1] + ("1" if ids[0][-1] != "1" else "2")
    # fmt: off
    cells.update({
        "C6": wrong_check, "F7": -100, "F8": "两千", "D9": 0, "E9": 2021, "B10": None,
        "G10": None, "H11": "可能", "D11": 2.5, "C12": ids[1], "C13": 6.52825197003041e17,
        "G14": "高", "C14": "65282519700304", "C15": None,
    })
    # fmt: on
    parsed = read_survey_form(1, std, edit(data, cells))
    assert [str(e) for e in parsed.errors] == [
        f"附件1!C6: 身份证号“{wrong_check}”有误：校验码错误，应为{check_digit(ids[0][:17])}",
        "附件1!F7: 人均纯收入不能为负数",
        "附件1!F8: 人均纯收入应为数字，填写的是“两千”",
        "附件1!D9: 家庭人口应为正整数，填写的是“0”",
        "附件1!E9: 脱贫年度应为2013至2020年之间的年份，填写的是“2021”",
        "附件1!B10: 户主姓名未填写",
        "附件1!G10: 有安全饮水未填写",
        "附件1!D11: 家庭人口应为正整数，填写的是“2.5”",
        "附件1!H11: 无法识别“有生活用电”的填写“可能”，请填写“是”或“否”",
        f"附件1!C12: 身份证号“{ids[1]}”与C7重复，同一户只能填一行",
        "附件1!C13: 身份证号“6.52825197003041e+17”有误：身份证号被存成了数字，后几位已丢失，"
        "请把单元格设为文本后重新填写",
        "附件1!C14: 身份证号“65282519700304”有误：长度不是18位",
        "附件1!G14: 无法识别“有安全饮水”的填写“高”，请填写“是”或“否”",
        "附件1!C15: 身份证号未填写",
    ]
    assert parsed.errors[1] == FormError("附件1", "F7", "人均纯收入不能为负数")
    assert not parsed.ok


def test_rows_below_the_signature_are_reported_not_dropped(std, form1):
    data = edit(
        form1([household(1)]),
        {**answered(6), "U6": "审核人员已入户核实", "B12": "补录户", "C12": person(9)},
    )
    parsed = read_survey_form(1, std, data)
    assert [r.row for r in parsed.rows] == [6]
    assert parsed.rows[0].values["remark"] == "审核人员已入户核实"
    assert [str(e) for e in parsed.errors] == [
        "附件1!C12: 签字栏下方的数据不会导入，请移到签字栏上方"
    ]


def test_the_header_is_found_by_its_texts_wherever_the_clerk_put_it(std):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet1"
    ws["A1"] = "且末县布古纳村脱贫人口回头看摸底表（自制）"
    ws.merge_cells("A1:T1")
    indicators = [c.header for c in survey_layout(1, std).columns if c.key.startswith(("H-", "A-"))]
    header = [
        "性别",
        "*户主",
        "身份证号码",
        *(h.replace("（", "(").replace("）", ")") for h in indicators[:2]),
        *(h[:3] + "\n" + h[3:] for h in indicators[2:]),
        "备 注",
    ]
    for col, text in enumerate(header, start=1):
        ws.cell(3, col, text)
    ws.append(["女", "阿依古丽", person(7).lower(), "3000", *(["是"] * 11), ""])
    out = io.BytesIO()
    book.save(out)
    parsed = read_survey_form(1, std, out.getvalue())
    assert parsed.errors == []
    [row] = parsed.rows
    assert row.row == 4
    assert row.values["name"] == "阿依古丽" and row.values["H-INCOME"] == 3000
    assert row.cells["id_number"] == "C4" and row.cells["H-WATER"] == "E4"


def test_a_sheet_that_is_not_the_form_names_what_is_missing(std):
    form2 = write_survey_form(2, std, SurveyContext(TOWN, villages=[VillageRow(TOWN, VILLAGE)]))
    [error] = read_survey_form(1, std, form2).errors
    assert str(error) == (
        "附件2: 这不是附件1模板（上传的是附件2）：找不到表头“户主姓名”、"
        "“身份证号”、“人均纯收入（元）”等列，请使用系统生成的附件1模板填写"
    )
    doc = standard_to_dict(std)
    water = doc["indicators"][2]
    doc["indicators"].append({**water, "code": "H-TOILET", "column": "有卫生厕所"})
    newer = parse_standard(doc)
    old_form = write_survey_form(1, std, SurveyContext(TOWN, VILLAGE, households=[household(1)]))
    [error] = read_survey_form(1, newer, old_form).errors
    assert error.message == "这不是附件1模板：找不到表头“有卫生厕所”，请使用系统生成的附件1模板填写"


def test_a_catalogue_change_changes_the_form(std):
    doc = standard_to_dict(std)
    doc["indicators"] = [i for i in doc["indicators"] if i["code"] != "H-TV"]
    changed = parse_standard(doc)
    data = write_survey_form(1, changed, SurveyContext(households=[household(1)], county=COUNTY))
    headers = {
        str(c.value).replace("\n", "")
        for row in openpyxl.load_workbook(io.BytesIO(data))["附件1"].iter_rows(min_row=4, max_row=5)
        for c in row
    }
    assert "有广播电视" not in headers and "有安全饮水" in headers
    assert "且末县XX乡镇XX村" in openpyxl.load_workbook(io.BytesIO(data))["附件1"]["A2"].value


def test_village_and_township_forms_read_back(std):
    data = write_survey_form(
        2,
        std,
        SurveyContext(
            TOWN,
            villages=[
                VillageRow(TOWN, VILLAGE, 2017),
                VillageRow(TOWN, "阿尔帕村", 2016),
                VillageRow(TOWN, VILLAGE, 2017),
            ],
        ),
    )
    answers = {f"{c}{r}": "有" for c in "EFGHJKLMN" for r in (6, 7, 8)}
    data = edit(data, {**answers, "I6": "3.2万元", "I7": "５万", "I8": 6}, sheet="附件2")
    parsed = read_survey_form(2, std, data)
    assert [str(e) for e in parsed.errors] == [
        "附件2!C8: 村名“布古纳村”与C6重复，同一个村只能填一行"
    ]
    assert [r.values["V-COLLECTIVE-INCOME"] for r in parsed.rows] == [3.2, 5.0, 6.0]
    data = write_survey_form(3, std, SurveyContext(TOWN))
    data = edit(data, {"C6": "是", "D6": "是", "E6": "否", "F6": "是", "G6": "是"}, sheet="附件3")
    [row] = read_survey_form(3, std, data).rows
    assert row.values == {
        "township": TOWN,
        "T-SCHOOL": True,
        "T-HOSPITAL": True,
        "T-FAMILY-PLANNING": False,
        "T-SERVICE": True,
        "T-SECURITY": True,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a workbook", "这不是Excel文件（.xlsx），请上传用系统模板填写的表格"),
        (b"", "这不是Excel文件（.xlsx），请上传用系统模板填写的表格"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "这是旧版Excel（.xls）文件"),
        (b"PK\x03\x04" + b"\x00garbage" * 20, "文件已损坏，无法解压"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_cleanly(std, data, message):
    parsed = read_survey_form(1, std, data)
    assert parsed.rows == [] and len(parsed.errors) == 1
    assert parsed.errors[0].message.startswith(message) and parsed.errors[0].cell == ""


def zip_of(members: dict[str, int | bytes]) -> bytes:
    """Return a zip whose members are bytes, or that many zero bytes (streamed, compressible)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w") as member:
                for _ in range(content // 2**20):
                    member.write(bytes(2**20))
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(std):
    bomb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": 60 * 2**20})
    assert len(bomb) < 200_000
    [error] = read_survey_form(1, std, bomb).errors
    assert "超过50MB上限，拒绝导入" in error.message
    dense = zip_of({"xl/worksheets/sheet1.xml": 20 * 2**20})
    [error] = read_survey_form(1, std, dense).errors
    assert error.message == (
        "文件中“xl/worksheets/sheet1.xml”的压缩比超过100倍，疑似恶意文件，拒绝导入"
    )


def test_a_zip_that_is_not_a_workbook_is_refused(std):
    [error] = read_survey_form(1, std, zip_of({"hello.txt": b"hi"})).errors
    assert error.message == "无法打开该文件：不是有效的Excel工作簿（.xlsx）"


def test_a_sheet_with_too_many_rows_is_refused(std, form1):
    data = form1([household(n) for n in range(1, 13)])
    parsed = read_survey_form(1, std, data, max_rows=10)
    assert parsed.rows == []
    assert [str(e) for e in parsed.errors] == [
        "附件1: 表格超过10行，无法一次导入，请拆分后分批导入"
    ]
    huge = form1([household(n) for n in range(1, 80)])
    assert read_survey_form(1, std, huge, max_rows=10).errors == [
        FormError("附件1", "", "表格超过10行，无法一次导入，请拆分后分批导入")
    ]


def test_text_that_excel_would_run_as_a_formula_is_written_as_plain_text(std, form1):
    names = ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1)"]
    data = form1(
        [
            HouseholdRow(n, person(i), 3, 2016, "=cmd|' /C calc'!A0", "")
            for i, n in enumerate(names, start=1)
        ]
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet_xml and "<f " not in sheet_xml
        assert 'quotePrefix="1"' in archive.read("xl/styles.xml").decode()
    ws = openpyxl.load_workbook(io.BytesIO(data))["附件1"]
    for row in range(6, 10):
        assert ws.cell(row, 2).data_type == "s" and ws.cell(row, 2).quotePrefix
    filled = edit(data, {k: v for r in range(6, 10) for k, v in answered(r).items()})
    parsed = read_survey_form(1, std, filled)
    assert parsed.errors == []
    assert [r.values["name"] for r in parsed.rows] == names


def test_control_characters_from_the_database_do_not_break_the_form(std, form1):
    data = form1([HouseholdRow("张\x07三", person(1))])
    assert openpyxl.load_workbook(io.BytesIO(data))["附件1"]["B6"].value == "张三"


def results_rows() -> list[ResultRow]:
    return [
        ResultRow(
            "住房安全无保障",
            "安居富民工程改建",
            "县住建局",
            "张伟",
            date(2018, 12, 31),
            "推进中",
            3.5,
            township=TOWN,
        ),
        ResultRow(
            "计生服务站无固定场所",
            "调剂办公用房",
            "县卫生计生委",
            "阿不都",
            date(2018, 10, 1),
            "已完成",
            1.25,
            township=TOWN,
        ),
        ResultRow(
            "综治工作中心未挂牌",
            "完善综治中心",
            "县委政法委",
            "赵强",
            date(2018, 11, 30),
            "未完成",
            None,
            township=TOWN,
        ),
        ResultRow("=1+1", "-", "县扶贫办", "@张", None, "已完成", 0.05, township=TOWN),
    ]


def test_form6_ends_with_totals_equal_to_its_rows():
    rows = results_rows()
    data = write_results_form(
        6, ResultsContext(TOWN, date=date(2018, 10, 12), rows=rows, county=COUNTY)
    )
    ws = openpyxl.load_workbook(io.BytesIO(data))["附件6"]
    assert ws["A2"].value == "且末县奥依亚依拉克镇“回头帮”成果统计表"
    assert [c.value for c in ws[4]][:5] == ["序号", "乡镇", "存在问题", "帮扶措施", "责任单位"]
    [total] = [row for row in ws.iter_rows(min_row=5) if row[0].value == "合计"]
    assert total[2].value == "发现问题 4 项"
    assert total[3].value == "已完成 2 项，推进中 1 项，未完成 1 项"
    assert total[8].value == pytest.approx(4.8)
    assert results_totals(rows) == ResultsTotals(4, 2, 1, 1, 4.8)
    assert ws["C8"].value == "=1+1" and ws["C8"].data_type == "s"
    assert ws["G5"].value.date() == date(2018, 12, 31)


def test_forms_4_and_5_carry_their_subjects_and_no_totals():
    row = ResultRow(
        "有安全饮水：否",
        "自来水入户",
        "县水利局",
        "刘明",
        date(2018, 9, 30),
        "已完成",
        0.35,
        name="户主1",
        id_number=person(1),
    )
    ws = openpyxl.load_workbook(
        io.BytesIO(write_results_form(4, ResultsContext(TOWN, VILLAGE, rows=[row], county=COUNTY)))
    )["附件4"]
    assert ws["A2"].value == "且末县奥依亚依拉克镇布古纳村脱贫人口“回头帮”成果统计表"
    assert [c.value for c in ws[5]][:4] == [1, "户主1", person(1), "有安全饮水：否"]
    assert all(c.value != "合计" for c in ws["A"])
    gap = ResultRow("集体经济年收入 3.2 万元，低于标准 5 万元", township=TOWN, village=VILLAGE)
    data = write_results_form(5, ResultsContext(rows=[gap], county=COUNTY))
    ws = openpyxl.load_workbook(io.BytesIO(data))["附件5"]
    assert ws["A2"].value == "且末县退出贫困村“回头帮”成果统计表"
    assert [c.value for c in ws[5]][:3] == [1, TOWN, VILLAGE]


def test_an_unknown_completion_state_is_a_programming_error():
    with pytest.raises(ValueError, match="completion state"):
        write_results_form(6, ResultsContext(rows=[ResultRow("问题", status="差不多")]))


@pytest.mark.parametrize("seed", range(0, 300, 3))
def test_damaged_files_never_raise(std, form1, seed):
    rng = random.Random(seed)
    data = bytearray(form1([household(1), household(2)]))
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    parsed = read_survey_form(1, std, bytes(data))
    assert all(isinstance(e, FormError) and e.message for e in parsed.errors)


def test_an_unfilled_column_is_one_problem_not_hundreds():
    errors = [FormError("附件1", f"H{row}", "有安全饮水未填写") for row in range(6, 126)]
    errors.insert(3, FormError("附件1", "C9", "身份证号有误"))
    errors.append(FormError("附件1", "", "缺少本村应摸底的脱贫户"))
    lines = summarize_errors(errors)
    assert lines == [
        "附件1!H6:H125: 有安全饮水未填写（共 120 行）",
        "附件1!C9: 身份证号有误",
        "附件1: 缺少本村应摸底的脱贫户",
    ]
    few = [FormError("附件1", f"F{row}", "人均纯收入不能为负数") for row in (7, 9)]
    assert summarize_errors(few) == [
        "附件1!F7: 人均纯收入不能为负数",
        "附件1!F9: 人均纯收入不能为负数",
    ]


def test_not_applicable_is_prefilled_and_read_only_where_the_catalogue_allows_it(std, form1):
    rows = [HouseholdRow(f"户主{n}", person(n), 2, 2016, not_applicable=("H-EDU",)) for n in (1, 2)]
    rows.append(HouseholdRow("户主3", person(3), 2, 2016))
    rows.append(HouseholdRow("户主4", person(4), 2, 2016))
    data = form1(rows)
    ws = openpyxl.load_workbook(io.BytesIO(data))["附件1"]
    assert [ws[f"L{r}"].value for r in range(6, 10)] == ["不涉及", "不涉及", None, None]
    cells = {k: v for r in range(6, 10) for k, v in answered(r).items()}
    del cells["L6"], cells["L7"]  # the pre-filled 不涉及 stays
    cells.update({"L8": "/", "N8": "无此情况", "L9": "—", "G9": "不涉及"})
    parsed = read_survey_form(1, std, edit(data, cells))
    assert [str(e) for e in parsed.errors] == [
        "附件1!G9: “有安全饮水”适用于每一户，不能填写“不涉及”，请填写“是”或“否”"
    ]
    values = [r.values for r in parsed.rows]
    assert [v["H-EDU"] for v in values] == ["不涉及"] * 4
    assert values[2]["H-PENSION"] == "不涉及" and values[0]["H-PENSION"] is True
    assert evaluate(std, "household", values[0]) == []
