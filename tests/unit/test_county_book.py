"""The county base-data workbook, pure: its blank template reads back, and a code cell is read
however Excel hands it over."""

from __future__ import annotations

import pytest

from workflow.county.book_checks import Known, check_book, role_named
from workflow.county.book_reader import read_book
from workflow.county.book_writer import write_template
from workflow.county.sheets import SHEET_BY_NAME
from workflow.forms.cells import CellError, read_code
from workflow.models import Role

CODE_COLUMN = SHEET_BY_NAME["村"].column("code")


@pytest.mark.parametrize(
    "raw",
    [
        652824100201,
        652824100201.0,
        "652824100201",
        "６５２８２４１００２０１",
        " 6528 2410 0201 ",
        "'652824100201",
    ],
)
def test_a_twelve_digit_code_is_read_however_excel_hands_it_over(raw):
    assert read_code(CODE_COLUMN, raw) == "652824100201"


@pytest.mark.parametrize("raw", ["65282410020A", 6.5282410020125e11, True, "一二三"])
def test_a_code_that_is_not_digits_says_so_in_chinese(raw):
    with pytest.raises(CellError, match="区划代码应为数字"):
        read_code(CODE_COLUMN, raw)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("村级填报员", Role.VILLAGE_CLERK),
        ("乡镇扶贫专干", Role.TOWNSHIP_CLERK),
        (" 乡镇负责人 ", Role.TOWNSHIP_LEADER),
        ("县扶贫办", Role.COUNTY_OFFICE),
        ("部门经办人", Role.DEPARTMENT_CLERK),
        ("部门负责人", Role.DEPARTMENT_LEADER),
        ("领导小组", Role.LEADING_GROUP),
        ("系统管理员", Role.ADMIN),
        ("admin", Role.ADMIN),
        ("扶贫专员", None),
    ],
)
def test_roles_are_named_as_the_readme_names_them(text, role):
    assert role_named(text) is role


def test_the_blank_template_reads_back_as_its_example_rows():
    data = check_book(read_book(write_template("652824")), "652824", "若羌县", Known())
    assert data.errors == []
    assert [(t.code, t.name) for t in data.townships] == [("652824100", "城关镇")]
    assert [(v.code, v.township_code, v.exit_year) for v in data.villages] == [
        ("652824100201", "652824100", 2016)
    ]
    assert [p.username for p in data.people] == ["zhangsan"]
    assert data.people[0].unit_code == "652824100"


def test_a_file_that_is_not_a_workbook_is_refused_whole():
    book = read_book(b"not an excel file")
    assert len(book.errors) == 1 and "xlsx" in str(book.errors[0])
