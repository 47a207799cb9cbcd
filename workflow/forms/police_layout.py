"""The police register extract (公安户籍) as a county's public-security bureau hands it over:
its column headers with their variants, and the words of a member's standing (户籍状态)."""

from __future__ import annotations

from workflow.forms.layout import DATE, ID, TEXT, Column

POLICE_SHEET = "公安户籍"  # the sheet written; any sheet holding the header is read
POLICE_NORMAL, POLICE_DECEASED, POLICE_MOVED_OUT = "normal", "deceased", "moved_out"
POLICE_STATUS_WORDS = {
    "正常": POLICE_NORMAL,
    "在册": POLICE_NORMAL,
    "": POLICE_NORMAL,
    "死亡": POLICE_DECEASED,
    "已死亡": POLICE_DECEASED,
    "注销(死亡)": POLICE_DECEASED,
    "迁出": POLICE_MOVED_OUT,
    "已迁出": POLICE_MOVED_OUT,
    "注销(迁出)": POLICE_MOVED_OUT,
}
POLICE_STATUS_SHOWN = {POLICE_NORMAL: "正常", POLICE_DECEASED: "死亡", POLICE_MOVED_OUT: "迁出"}

POLICE_COLUMNS = (
    Column(
        "household",
        "户号",
        TEXT,
        16,
        aliases=("户籍户号", "户编号", "家庭户号"),
        essential=True,
        required=True,
    ),
    Column("name", "姓名", TEXT, 14, aliases=("人员姓名",), essential=True, required=True),
    Column(
        "id_number",
        "公民身份号码",
        ID,
        22,
        aliases=("身份证号", "身份证号码", "证件号码", "公民身份证号码"),
        essential=True,
        required=True,
    ),
    Column(
        "relation",
        "与户主关系",
        TEXT,
        10,
        aliases=("与户主的关系", "关系"),
        essential=True,
        required=True,
    ),
    Column("birth_date", "出生日期", DATE, 12, aliases=("出生年月日",)),
    Column("status", "户籍状态", TEXT, 10, aliases=("人员状态", "状态")),
    Column("changed_on", "变动日期", DATE, 12, aliases=("变动时间", "注销日期")),
)

RELATION_HEAD = "户主"
# The same relation written another way: the police's word → the national system's.
RELATION_SYNONYMS = {
    "本人": "户主",
    "妻": "配偶",
    "妻子": "配偶",
    "夫": "配偶",
    "丈夫": "配偶",
    "子": "之子",
    "儿子": "之子",
    "女": "之女",
    "女儿": "之女",
    "儿媳": "之儿媳",
    "女婿": "之女婿",
    "孙子": "之孙子",
    "孙女": "之孙女",
}
# The middle dot of Uyghur names as keyboards and fonts write it (after NFKC): one dot.
NAME_DOTS = "·・•‧∙⋅.᛫⸱"
IN_OTHER_HOUSEHOLD = "{name}（户号{number}）"  # a person the police list in another household
