"""The 建档立卡 register's workbook as the national system (全国扶贫开发信息系统) exports it:
sheet names, column headers with the variants other years' exports use, and the words a cell
may hold."""

from __future__ import annotations

from workflow.forms.layout import COUNT, DATE, ID, TEXT, YEAR, YES_NO, Column

HOUSEHOLD_SHEET = "贫困户"
MEMBER_SHEET = "家庭成员"
NOTES_SHEET = "说明"

ATTRIBUTES = ("一般贫困户", "低保贫困户", "特困供养贫困户")
SEXES = ("男", "女")  # as the ID number says: odd 17th digit, male
LIST_SEPARATOR = "、"
# A member's standing: the value stored for each word a clerk writes.
MEMBER_STATUS_WORDS = {
    "正常": "normal",
    "": "normal",
    "死亡": "deceased",
    "已故": "deceased",
    "迁出": "moved_out",
    "已迁出": "moved_out",
}
MEMBER_STATUS_SHOWN = {"normal": "正常", "deceased": "死亡", "moved_out": "迁出"}
RELATION_HEAD = "户主"

HOUSEHOLD_COLUMNS = (
    Column("number", "户编号", TEXT, 22, aliases=("户号", "家庭编号"), essential=True),
    Column("township", "所属乡镇", TEXT, 14, aliases=("乡镇", "乡(镇)", "乡镇名称")),
    Column(
        "village",
        "行政村",
        TEXT,
        14,
        aliases=("村", "所属村", "村名称", "所属行政村"),
        essential=True,
        required=True,
    ),
    Column("head_name", "户主姓名", TEXT, 12, essential=True, required=True),
    Column(
        "head_id",
        "户主证件号码",
        ID,
        22,
        aliases=("户主身份证号", "户主身份证号码", "户主公民身份号码"),
        essential=True,
        required=True,
    ),
    Column(
        "family_size",
        "家庭人口数",
        COUNT,
        10,
        aliases=("人数", "家庭人口", "家庭人数"),
        essential=True,
        required=True,
    ),
    Column("attribute", "贫困户属性", TEXT, 14, essential=True, required=True),
    Column("cause", "主要致贫原因", TEXT, 14, aliases=("致贫原因",)),
    Column("exit_year", "脱贫年度", YEAR, 10, aliases=("脱贫年份", "脱贫时间")),
    Column("planned_exit_year", "计划脱贫年度", YEAR, 12, aliases=("预脱贫年度", "计划脱贫年份")),
    Column("helper_name", "帮扶责任人", TEXT, 12, aliases=("帮扶人",)),
    Column("helper_unit", "帮扶单位", TEXT, 18, aliases=("帮扶责任单位",)),
    Column("phone", "联系电话", TEXT, 14, aliases=("电话", "手机", "手机号码")),
    # Optional: the head's name as written in Uyghur (the Chinese one is a transliteration).
    Column("head_name_ug", "户主维吾尔文姓名", TEXT, 16, aliases=("维吾尔文姓名",)),
)

MEMBER_COLUMNS = (
    Column("number", "户编号", TEXT, 22, aliases=("户号", "家庭编号")),
    Column(
        "head_id",
        "户主证件号码",
        ID,
        22,
        aliases=("户主身份证号", "户主身份证号码", "户主公民身份号码"),
    ),
    Column("name", "姓名", TEXT, 12, aliases=("成员姓名",), essential=True, required=True),
    Column(
        "id_number",
        "证件号码",
        ID,
        22,
        aliases=("身份证号", "身份证号码", "公民身份号码", "成员证件号码"),
        essential=True,
        required=True,
    ),
    Column("relation", "与户主关系", TEXT, 10, essential=True, required=True),
    Column("sex", "性别", TEXT, 6),
    Column("birth_date", "出生日期", DATE, 12, aliases=("出生年月",)),
    Column("schooling", "在校生状况", TEXT, 14, aliases=("在校生情况",)),
    Column("health", "健康状况", TEXT, 12),
    Column("skill", "劳动技能", TEXT, 12),
    Column(
        "medical",
        "是否参加城乡居民基本医疗保险",
        YES_NO,
        12,
        aliases=("参加城乡居民基本医疗保险", "是否参加新型农村合作医疗", "医保"),
    ),
    Column(
        "pension",
        "是否参加城乡居民基本养老保险",
        YES_NO,
        12,
        aliases=("参加城乡居民基本养老保险", "养老保险"),
    ),
    Column("subsistence", "是否享受低保", YES_NO, 10, aliases=("享受低保", "低保")),
    Column("destitute", "是否特困供养", YES_NO, 10, aliases=("特困供养",)),
    Column("status", "人员状态", TEXT, 10, aliases=("成员状态", "状态")),
)

HOUSEHOLD_EXAMPLE = (
    "652825101201000001",
    "奥依亚依拉克镇",
    "布古纳村",
    "阿布都拉·买买提",
    "652825198001010017",
    3,
    "一般贫困户",
    "缺资金",
    2016,
    None,
    "王建国",
    "县水利局",
    "13899000000",
)
_EXAMPLE_NUMBER, _EXAMPLE_HEAD = HOUSEHOLD_EXAMPLE[0], HOUSEHOLD_EXAMPLE[4]
MEMBER_EXAMPLES = (
    (
        _EXAMPLE_NUMBER,
        _EXAMPLE_HEAD,
        "阿布都拉·买买提",
        _EXAMPLE_HEAD,
        "户主",
        "男",
        None,
        "非在校生",
        "健康",
        "普通劳动力",
        "是",
        "是",
        "否",
        "否",
        "正常",
    ),
    (
        _EXAMPLE_NUMBER,
        _EXAMPLE_HEAD,
        "阿依古丽·吐尔逊",
        "652825198203050025",
        "配偶",
        "女",
        None,
        "非在校生",
        "健康",
        "普通劳动力",
        "是",
        "是",
        "否",
        "否",
        "正常",
    ),
    (
        _EXAMPLE_NUMBER,
        _EXAMPLE_HEAD,
        "买买提·阿布都拉",
        "652825200809010116",
        "之子",
        "男",
        None,
        "义务教育",
        "健康",
        "无劳动力",
        "是",
        "否",
        "否",
        "否",
        "正常",
    ),
)

NOTES = (
    "建档立卡贫困户登记表（全国扶贫开发信息系统导出格式）",
    "1. “贫困户”工作表每户一行，“家庭成员”工作表每人一行（户主也列入）。",
    "2. 列按表头名称识别，顺序不限，多余的列不读；表头上方可有标题行。",
    "3. 家庭成员以户编号（或户主证件号码）对应到户；家庭人口数须等于状态为“正常”的成员数。",
    "4. 贫困户属性：一般贫困户、低保贫困户、特困供养贫困户。",
    "5. 已脱贫户填写脱贫年度；尚未脱贫（预脱贫）户填写计划脱贫年度。",
    "6. 证件号码按文本填写（18位，末位可为X）；出生日期、性别为空时按证件号码读取。",
    "7. 人员状态：正常、死亡、迁出（为空视为正常）。",
    "8. 行政村填写村名（同名村请同时填写所属乡镇）或12位区划代码。",
    "9. 导入为全有或全无：有任何错误时不导入，并按“工作表!单元格: 原因”逐条列出。",
)

TEMPLATE_FILE_NAME = "建档立卡贫困户登记表.xlsx"
