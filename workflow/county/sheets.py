"""The county base-data workbook (县情基础数据): its sheets, their columns and the instructions.

The headers are the workbook's content as the county office reads it; the reader finds each
column by any of its names, so a sheet kept by hand or exported from another system loads too.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.forms.layout import TEXT, YEAR, YES_NO, Column

CODE = "code"  # digits typed as text or as a number (12 digits come back as an int or a float)

TOWNSHIPS, VILLAGES, DEPARTMENTS, PEOPLE = "乡镇", "村", "部门", "人员"
INSTRUCTIONS = "说明"
YES, NO = "是", "否"


@dataclass(frozen=True)
class SheetLayout:
    """One sheet of the workbook: its name, columns and the example row of the blank template."""

    name: str
    columns: tuple[Column, ...]
    example: tuple[str, ...]  # {code}: the county's 6-digit code

    def column(self, key: str) -> Column:
        """Return the column holding a field."""
        return next(c for c in self.columns if c.key == key)


def _col(key: str, header: str, kind: str = TEXT, *aliases: str, required: bool = True) -> Column:
    return Column(key, header, kind, 16, "", aliases, essential=required, required=required)


SHEETS: tuple[SheetLayout, ...] = (
    SheetLayout(
        TOWNSHIPS,
        (
            _col("code", "区划代码", CODE, "乡镇区划代码", "乡镇代码", "行政区划代码", "代码"),
            _col("name", "名称", TEXT, "乡镇名称", "乡镇", "名字"),
        ),
        ("{code}100", "城关镇"),
    ),
    SheetLayout(
        VILLAGES,
        (
            _col("code", "区划代码", CODE, "村区划代码", "村代码", "行政村代码", "行政区划代码"),
            _col("name", "名称", TEXT, "村名称", "村名", "行政村", "村"),
            _col("township", "所属乡镇", TEXT, "乡镇", "乡镇名称", "所属乡镇名称", "乡镇代码"),
            _col("poor", "是否贫困村", YES_NO, "贫困村", "是否贫困村（是/否）", required=False),
            _col("exit_year", "退出年度", YEAR, "贫困村退出年度", "退出年份", required=False),
        ),
        ("{code}100201", "示范村", "城关镇", "是", "2016"),
    ),
    SheetLayout(
        DEPARTMENTS,
        (
            _col("code", "代码", TEXT, "部门代码", "单位代码", "编码"),
            _col("name", "名称", TEXT, "部门名称", "单位名称", "部门"),
            _col("clause", "职责条款", TEXT, "条款", "方案条款", "依据", required=False),
        ),
        ("SLJ", "县水利局", "六.10"),
    ),
    SheetLayout(
        PEOPLE,
        (
            _col("username", "用户名", TEXT, "登录名", "账号", "帐号"),
            _col("name", "姓名", TEXT, "名字"),
            _col("role", "角色", TEXT, "岗位", "职责"),
            _col("unit", "所属单位", TEXT, "单位", "所在单位", "工作单位", required=False),
            _col("phone", "手机", TEXT, "手机号", "手机号码", "联系电话", "电话", required=False),
            _col("email", "邮箱", TEXT, "电子邮箱", "邮件", "电子邮件", "E-mail", required=False),
            # Optional: the person's language of pages, e-mails and notices (empty: Chinese).
            _col("language", "使用语言", TEXT, "语言", required=False),
        ),
        (
            "zhangsan",
            "张三",
            "乡镇扶贫专干",
            "城关镇",
            "13912345678",
            "zhangsan@example.com",
            "中文",
        ),
    ),
)
SHEET_BY_NAME = {s.name: s for s in SHEETS}
# How the people sheet names a language (使用语言): huitou's code of each spelling.
LANGUAGE_SPELLINGS = {
    "中文": "zh",
    "汉文": "zh",
    "汉语": "zh",
    "ZH": "zh",
    "维吾尔文": "ug",
    "维吾尔语": "ug",
    "维文": "ug",
    "UG": "ug",
    "ئۇيغۇرچە": "ug",
}
LANGUAGE_LABELS = {"zh": "中文", "ug": "维吾尔文"}

# Role names as the README's table and the 人员 sheet write them, besides the catalogue's own.
ROLE_ALIASES = {
    "村两委": "village_clerk",
    "村级填报员": "village_clerk",
    "村\u201c两委\u201d": "village_clerk",
    "乡镇扶贫专干": "township_clerk",
    "乡镇负责人": "township_leader",
    "乡镇党委、政府负责人": "township_leader",
    "县扶贫办": "county_office",
    "部门经办人": "department_clerk",
    "行业部门经办人": "department_clerk",
    "部门负责人": "department_leader",
    "行业部门负责人": "department_leader",
    "领导小组": "leading_group",
    "县脱贫攻坚领导小组": "leading_group",
    "系统管理员": "admin",
}

INSTRUCTION_LINES = (
    "县情基础数据填写说明",
    "",
    "本工作簿有“乡镇”“村”“部门”“人员”四张表，每张表第一行为表头，第二行为示例（导入前请删除或改写示例行）。",
    "列的顺序可以调整，表头上方可以有标题行，多余的列不会导入。代码可以填成文本或数字，全角数字也可以。",
    "",
    "乡镇：区划代码（9位乡镇代码，或末尾为000的12位代码，须以本县6位代码开头）、名称。",
    "村：区划代码（12位，前9位为所属乡镇代码）、名称、所属乡镇（名称或代码）、是否贫困村（是/否）、"
    "退出年度（仅贫困村填写，贫困村必须填写）。",
    "部门：代码（与系统的归口表一致，如 SLJ 县水利局、JTJ 县交通局，见 docs/CONTRACTS.md）、名称、"
    "职责条款（可不填）。",
    "人员：用户名（3–40位字母、数字、点、横线或下划线）、姓名、角色、所属单位、手机、邮箱。",
    "角色只能填：村级填报员、乡镇扶贫专干、乡镇负责人、县扶贫办、部门经办人、部门负责人、领导小组、系统管理员。",
    "所属单位：村级填报员填村（代码或名称），乡镇扶贫专干、乡镇负责人填乡镇（代码或名称），"
    "部门经办人、部门负责人填部门（代码或名称），县扶贫办、领导小组、系统管理员填本县或不填。",
    "",
    "导入规则：全部正确才导入，有任何问题都不导入，并逐一列出“工作表!单元格: 原因”。",
    "再次导入时按区划代码、部门代码、用户名更新：改名会留下记录；新文件中没有的人员会被停用（不会删除）。",
    "新增人员的初始密码只显示一次，首次登录时必须修改。",
)
