"""The Uyghur aids of a downloaded survey form, for a clerk who reads Uyghur.

The official sheet (附件N) keeps its Chinese title and headers: it goes to the county as it is.
Under each Chinese header a second line gives the column's name in Uyghur, and a second sheet
explains in Uyghur how to fill the form. The reader ignores the Uyghur lines (reader.norm_header),
so the same file imports whoever downloaded it. Terms: docs/GLOSSARY-ug.md.
"""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from workflow.forms.layout import FormLayout
from workflow.forms.sheet import FIRST_HEADER_ROW

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
INSTRUCTION_SHEET = "ئىزاھات"  # "instructions"

# Each column's name in Uyghur, by the column's key (fixed columns) or indicator code.
HEADERS = {
    "seq": "تەرتىپ نومۇرى",
    "name": "ئائىلە باشلىقىنىڭ ئىسمى",
    "id_number": "كىملىك نومۇرى",
    "family_size": "ئائىلە نوپۇسى",
    "exit_year": "نامراتلىقتىن قۇتۇلغان يىلى",
    "problems": "مەۋجۇت مەسىلە",
    "helper": "ياردەم مەسئۇلى",
    "phone": "ئالاقە تېلېفونى",
    "remark": "ئىزاھات",
    "township": "يېزا-بازار",
    "village": "كەنت",
    "H-INCOME": "كىشى بېشىغا توغرا كېلىدىغان ساپ كىرىم (يۈەن)",
    "H-INCOME-GROWTH": "ئىختىيارىي ئىشلىتىلىدىغان كىرىمنىڭ ئېشىش نىسبىتى (%)",
    "H-WATER": "بىخەتەر ئىچىملىك سۇ بار",
    "H-POWER": "تۇرمۇش توكى بار",
    "H-TV": "رادىيو-تېلېۋىزور بار",
    "H-DIBAO": "ئەڭ تۆۋەن تۇرمۇش كاپالىتى بار",
    "H-EDU": "مەجبۇرىي مائارىپ كاپالەتلىك",
    "H-MEDICAL": "ئاساسىي داۋالاش كاپالەتلىك",
    "H-PENSION": "ئاساسىي كۈتۈنۈش كاپالەتلىك",
    "H-HOUSING": "تۇرالغۇ بىخەتەرلىكى كاپالەتلىك",
    "A-FOUR": "ئارخىپ «تۆت بىردەكلىك»",
    "A-BOOKLET": "ياردەم قوللانمىسى ۋە ياردەم گۇۋاھنامىسى قائىدە بويىچە تولدۇرۇلغان",
}

INSTRUCTIONS = (
    "«قايتا تەكشۈرۈش» جەدۋىلىنى تولدۇرۇش ئىزاھاتى",
    "",
    "1. «1-قوشۇمچە» جەدۋىلى رەسمىي ھۆججەت: ئۇنىڭ خەنزۇچە ماۋزۇسى ۋە تېمىلىرى ئۆزگەرتىلمەيدۇ.",
    "    ھەر بىر تېمىنىڭ ئاستىدىكى ئۇيغۇرچە قۇر پەقەت چۈشىنىشكە ياردەم ئۈچۈن.",
    "2. ئائىلە باشلىقىنىڭ ئىسمى ۋە كىملىك نومۇرى ئالدىن تولدۇرۇلغان؛ "
    "ئۇلارنى قايتا يازماڭ ۋە ئۆزگەرتمەڭ.",
    "3. «بار / يوق» ئىستونلىرىغا «是» ياكى «否» يېزىڭ؛ «ھەئە» ياكى «ياق» دەپ يازسىڭىزمۇ بولىدۇ.",
    "4. كىرىم ۋە نىسبەت ئىستونلىرىغا پەقەت سان يېزىڭ (مەسىلەن 3650 ياكى 5.2)، فورمۇلا ئىشلەتمەڭ.",
    "5. ئۆلچەمگە يەتمىگەن ھەر بىر كۆرسەتكۈچ «مەۋجۇت مەسىلە» بولىدۇ ۋە تولۇقلاش تىزىملىكىگە كىرىدۇ.",
    "6. تولدۇرۇپ بولغاندىن كېيىن، ھۆججەتنى سىستېمىغا يۈكلەڭ.",
    "    خاتالىق بولسا، سىستېما كاتەكچىنى كۆرسىتىدۇ، ھېچنېمە ساقلانمايدۇ.",
    "7. ئاخىرىدا جەدۋەلگە ئىمزا قويۇپ يوللاڭ؛ ئىمزا قويغۇچى مەزمۇننىڭ راستلىقىغا مەسئۇل.",
)


def is_uyghur_line(line: str) -> bool:
    """Tell whether a line of a header is one of the Uyghur aids (ignored when reading)."""
    return bool(ARABIC_SCRIPT.search(line))


def add_uyghur_aids(data: bytes, layout: FormLayout) -> bytes:
    """The form's workbook with a Uyghur line under each header and a Uyghur instruction sheet."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[layout.sheet_name]
    _header_lines(sheet, layout)
    _instructions(book.create_sheet(INSTRUCTION_SHEET))
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header_lines(sheet: Worksheet, layout: FormLayout) -> None:
    bottom = FIRST_HEADER_ROW + layout.header_rows - 1
    for index, column in enumerate(layout.columns, start=1):
        uyghur = HEADERS.get(column.key)
        row = bottom if column.group else FIRST_HEADER_ROW
        cell = sheet.cell(row, index)
        if not uyghur or not isinstance(cell.value, str):
            continue
        cell.value = f"{cell.value}\n{uyghur}"
    for row in range(FIRST_HEADER_ROW, bottom + 1):
        height = sheet.row_dimensions[row].height or 30
        sheet.row_dimensions[row].height = height + (60 if row == bottom else 0)


def _instructions(sheet: Worksheet) -> None:
    sheet.sheet_view.rightToLeft = True
    sheet.column_dimensions["A"].width = 90
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for number, line in enumerate(INSTRUCTIONS, start=1):
        cell = sheet.cell(number, 1, line)
        cell.alignment = Alignment(
            wrap_text=True, vertical="top", horizontal="right", readingOrder=2
        )
        cell.font = Font(size=14 if number == 1 else 12, bold=number == 1)
        sheet.row_dimensions[number].height = 22 * (len(line) // 75 + 1) + 4
