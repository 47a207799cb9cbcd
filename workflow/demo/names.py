"""Names for the synthetic demo county: its places (plausible), pools for its people (made up)."""

from __future__ import annotations

# One township a line (indented lines continue it): name, 9-digit division code (1xx 镇, 2xx 乡),
# then its villages; the 15 exited poor villages carry ":exit year" (2016 or 2017, as §四 of the
# plan says the poor villages exited). Geography is fixed; only the people change with the seed.
_PLACES_TABLE = """
且末镇 652825100 喀特勒什村:2016 吐格曼贝希村 阿克墩村 团结村 幸福村
奥依亚依拉克镇 652825101 奥依亚依拉克村 布古纳村:2017 阿尔帕村:2017 色日克阔勒村
    苏塘村 铁热克村:2017
塔提让镇 652825102 塔提让村 库木巴格村:2016 阿其玛村 英巴格村
塔中镇 652825103 塔中村 新村 胡杨村 红柳村
阿羌乡 652825200 阿羌村 昆其布拉克村:2017 喀拉米兰村 依山干村
阿热勒乡 652825201 阿热勒村 巴什阿热勒村 卡纳巴格村:2016 萨依巴格村 光明村
琼库勒乡 652825202 琼库勒村 阔什艾日克村 塔什萨依村:2017 英艾日克村
托格拉克勒克乡 652825203 托格拉克勒克村 吾斯塘博依村:2016 巴什托格拉克村 亚喀托格拉克村 和平村
巴格艾日克乡 652825204 巴格艾日克村 喀拉苏村:2016 库勒艾日克村 兰干村 果园村
英吾斯塘乡 652825205 英吾斯塘村 喀拉塔什村:2017 阿亚克吾斯塘村 园艺村 萨克萨克村
阿克提坎墩乡 652825206 阿克提坎墩村 博斯坦村:2016 克孜勒墩村 恰瓦克村
阔什萨特玛乡 652825207 阔什萨特玛村 巴什萨特玛村 其格勒克村:2017 友谊村 阿瓦提村
库拉木勒克乡 652825208 库拉木勒克村 吐拉村:2017 阔什库勒村:2016 塔特勒克苏村
"""


def _words(text: str) -> tuple[str, ...]:
    """Return the whitespace-separated words of a name pool."""
    return tuple(text.split())


# Uyghur given names as Xinjiang household registers transliterate them. A person is written
# "given·father's given name", so the father's part is always drawn from the male pool.
UYGHUR_MALE = _words("""
艾力 买买提 麦麦提 吐尔逊 艾散 阿不都热合曼 阿卜杜拉 艾买提
阿布都克热木 努尔买买提 吐尔洪 依明 阿力木 卡德尔 肉孜 热合曼
托合提 塔依尔 亚森 玉素甫 斯拉木 司马义 如斯坦木 吾买尔
吾守尔 哈力克 喀斯木 米吉提 帕尔哈提 伊力哈木 艾尔肯 艾则孜
阿迪力 阿里木江 买合木提 努尔艾力 热依木 沙吾提 提力瓦尔地 乌斯曼
牙合甫 亚库甫 依斯拉木 尤努斯 再努拉 祖农 阿不力克木 艾合买提
巴拉提 达吾提 尼亚孜 克然木 努尔东 如则 赛买提 吐拉克
外力 阿布拉 艾孜买提 买吐送 艾尼瓦尔 比拉力
""")
UYGHUR_FEMALE = _words("""
阿依古丽 古丽 帕提古丽 阿依努尔 热依拉 努尔尼沙 布沙热木 阿依仙木
米日古丽 古丽巴哈尔 古丽尼沙 热孜万古丽 则热古丽 祖丽皮亚 帕提曼 阿米娜
阿孜古丽 巴哈古丽 布阿杰尔 布威 哈力旦 加米拉 米娜瓦尔 玛依拉
玛利亚木 努尔古丽 帕夏古丽 热娜古丽 热比古丽 茹仙古丽 赛努尔 苏比努尔
图尔荪古丽 吐尔逊阿依 祖木热提 再努尔 再乃甫 佐热姆 阿依夏木 迪丽拜尔
迪丽努尔 迪丽热巴 古丽米热 海丽倩木 买热木 麦尔哈巴 米丽班 木妮热
娜孜古丽 努尔比亚 帕丽达 热汗古丽 赛乃姆 吐尼莎 西仁古丽 夏依达
孜比达 祖力胡玛尔 阿提卡木 托合提汗
""")

HAN_SURNAMES = _words("""
王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭 何 高 林 罗
郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡
余 杜 叶 程 苏 魏 吕 丁 任 沈
""")
HAN_MALE = _words("""
建国 建军 志强 国强 伟 军 勇 海涛 明 磊
强 刚 平 辉 建华 建平 卫东 红军 永刚 德明
学文 文斌 振华 国庆 新民 长春 宏伟 俊杰 浩 鹏
""")
HAN_FEMALE = _words("""
秀英 桂兰 秀兰 玉兰 丽 芳 红梅 桂英 淑珍 凤英
丽娟 秀珍 玉梅 春花 海燕 敏 静 燕 艳 娟
霞 琴 慧 雪梅 丽萍 玉珍 淑芬 翠兰 美玲 晓红
""")

# Separator between a Uyghur given name and the father's name (U+00B7, as registers print it).
NAME_DOT = "·"


def _parse_places(table: str) -> tuple[tuple[str, str, tuple[tuple[str, int | None], ...]], ...]:
    """Return (township, code, ((village, exit year or None), …)) rows from the table above."""
    rows = []
    for line in table.strip().replace("\n    ", " ").splitlines():
        township, code, *villages = line.split()
        places = tuple(
            (name, int(year) if year else None)
            for name, _, year in (village.partition(":") for village in villages)
        )
        rows.append((township, code, places))
    return tuple(rows)


PLACES = _parse_places(_PLACES_TABLE)


def is_uyghur_name(name: str) -> bool:
    """Return True for a "given·father" name as made by the demo generator."""
    return NAME_DOT in name


def is_male_name(name: str) -> bool:
    """Return True when the person's own given name is in a male pool."""
    if is_uyghur_name(name):
        given, male_pool, female_pool = name.split(NAME_DOT, 1)[0], UYGHUR_MALE, UYGHUR_FEMALE
    else:
        given, male_pool, female_pool = name[1:], HAN_MALE, HAN_FEMALE
    if given in male_pool:
        return True
    if given in female_pool:
        return False
    raise ValueError(f"{name!r} is not a demo name")
