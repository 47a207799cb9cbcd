"""A lean .xlsx writer for big tables (a prefecture's register): rows streamed into the sheet
XML, text as shared strings (as Excel and the national system write them, and as openpyxl reads
fastest). Plain values only: text, numbers, dates (written as YYYY-MM-DD text), booleans."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_MAIN}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_MAIN}.styles+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_MAIN}.sharedStrings+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    f'<Override PartName="/xl/worksheets/sheet{{n}}.xml" ContentType="{_MAIN}.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_REL = (
    '<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/{kind}" Target="{target}"/>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _letters(count: int) -> list[str]:
    out = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        out.append(name)
    return out


def write_tables(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]], Sequence[float]]],
) -> bytes:
    """A workbook of (title, header, rows, column widths) sheets; the header row is bold."""
    strings: dict[str, int] = {}

    def shared(text: str) -> int:
        index = strings.get(text)
        if index is None:
            index = strings[text] = len(strings)
        return index

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for n, (_title, header, rows, widths) in enumerate(sheets, start=1):
            letters = _letters(max(len(header), 1) + 64)
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w") as raw:
                part = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                part.write(
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'
                    # Printed, a sheet is as wide as an A4 page laid landscape, never split.
                    '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
                )
                # The extent up front: without it a reader scans the whole sheet to find it.
                last = letters[max(len(header), max((len(r) for r in rows), default=1)) - 1]
                part.write(f'<dimension ref="A1:{last}{len(rows) + 1}"/>')
                if widths:
                    part.write("<cols>")
                    for i, width in enumerate(widths, start=1):
                        part.write(f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>')
                    part.write("</cols>")
                part.write("<sheetData>")
                cells = "".join(
                    f'<c r="{letters[i]}1" t="s" s="1"><v>{shared(h)}</v></c>'
                    for i, h in enumerate(header)
                )
                part.write(f'<row r="1">{cells}</row>')
                for r, row in enumerate(rows, start=2):
                    buffer = [f'<row r="{r}">']
                    for i, value in enumerate(row):
                        if value is None or value == "":
                            continue
                        ref = f"{letters[i]}{r}"
                        if isinstance(value, bool):
                            buffer.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                        elif isinstance(value, int | float):
                            buffer.append(f'<c r="{ref}"><v>{value}</v></c>')
                        else:
                            text = value.isoformat() if isinstance(value, date) else str(value)
                            buffer.append(f'<c r="{ref}" t="s"><v>{shared(text)}</v></c>')
                    buffer.append("</row>")
                    part.write("".join(buffer))
                part.write(
                    '</sheetData><pageSetup paperSize="9" orientation="landscape" '
                    'fitToWidth="1" fitToHeight="0"/></worksheet>'
                )
                part.flush()
                part.detach()
        with archive.open("xl/sharedStrings.xml", "w") as raw:
            part = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            part.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {_NS} '
                f'count="{len(strings)}" uniqueCount="{len(strings)}">'
            )
            for text in strings:
                part.write(f'<si><t xml:space="preserve">{escape(text)}</t></si>')
            part.write("</sst>")
            part.flush()
            part.detach()
        titles = [title for title, *_rest in sheets]
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(
                sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(titles) + 1))
            ),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} {_NS_R}>'
            "<sheets>"
            + "".join(
                f'<sheet name="{escape(t)}" sheetId="{n}" r:id="rId{n}"/>'
                for n, t in enumerate(titles, start=1)
            )
            + "</sheets></workbook>",
        )
        rels = [
            _REL.format(n=n, kind="worksheet", target=f"worksheets/sheet{n}.xml")
            for n in range(1, len(titles) + 1)
        ]
        rels.append(_REL.format(n=len(titles) + 1, kind="styles", target="styles.xml"))
        rels.append(
            _REL.format(n=len(titles) + 2, kind="sharedStrings", target="sharedStrings.xml")
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(rels)
            + "</Relationships>",
        )
        archive.writestr("xl/styles.xml", _STYLES)
    return out.getvalue()
