"""The standards catalogue: packaged data, validation of uploaded documents, judging answers."""

import copy

import pytest

from workflow.programme.standards import Finding, evaluate, judge
from workflow.programme.standards_document import (
    CatalogueError,
    available_years,
    load_poverty_lines,
    load_standard,
    parse_standard,
    standard_to_dict,
)

HOUSEHOLD = [
    "H-INCOME",
    "H-INCOME-GROWTH",
    "H-WATER",
    "H-POWER",
    "H-TV",
    "H-DIBAO",
    "H-EDU",
    "H-MEDICAL",
    "H-PENSION",
    "H-HOUSING",
    "A-FOUR",
    "A-BOOKLET",
]
VILLAGE = [
    "V-ROAD",
    "V-NETWORK",
    "V-POWER",
    "V-PARTY",
    "V-COLLECTIVE-INCOME",
    "V-KINDERGARTEN",
    "V-CULTURE",
    "V-SERVICE",
    "V-CLINIC",
    "V-SHOP",
]
TOWNSHIP = ["T-SCHOOL", "T-HOSPITAL", "T-FAMILY-PLANNING", "T-SERVICE", "T-SECURITY"]


@pytest.fixture
def std2018():
    return load_standard(2018)


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_each_packaged_year_has_the_contract_indicator_codes_in_form_order(year):
    std = load_standard(year)
    assert std.year == year
    assert [i.code for i in std.for_kind("household")] == HOUSEHOLD
    assert [i.code for i in std.for_kind("village")] == VILLAGE
    assert [i.code for i in std.for_kind("township")] == TOWNSHIP
    assert all(i.label and i.column and i.clause for i in std.indicators)


def test_packaged_years_are_2017_to_2020():
    """2017 is there because the July 2018 look-back checks against the 2017 standard (§四.1)."""
    assert available_years() == [2017, 2018, 2019, 2020]


def test_poverty_lines_carry_their_source_and_whether_confirmed():
    lines = load_poverty_lines()
    assert {y: lines[y].amount for y in range(2014, 2021)} == {
        2014: 2800,
        2015: 2855,
        2016: 2952,
        2017: 2952,
        2018: 2995,
        2019: 3218,
        2020: 4000,
    }
    assert lines[2019].confirmed
    assert not any(lines[y].confirmed for y in (2014, 2015, 2016, 2017, 2018, 2020))
    assert all(line.source for line in lines.values())


def test_a_year_takes_its_own_poverty_line_and_an_unconfirmed_regional_growth():
    assert load_standard(2018).poverty_line.amount == 2995
    assert load_standard(2019).poverty_line.amount == 3218
    assert load_standard(2019).poverty_line.confirmed
    for year in (2018, 2019, 2020):
        growth = load_standard(year).regional_growth
        assert growth.amount is not None and not growth.confirmed and growth.source


def test_collective_income_is_judged_in_wan_yuan_against_five(std2018):
    ind = std2018.indicator("V-COLLECTIVE-INCOME")
    assert (ind.judge, ind.threshold, ind.unit) == ("amount_at_least", 5, "万元")
    assert ind.column == "集体经济年收入（万元）"


def test_a_catalogue_survives_a_round_trip_through_its_document(std2018):
    assert parse_standard(standard_to_dict(std2018)) == std2018


def test_a_year_without_a_catalogue_is_refused_in_chinese():
    with pytest.raises(CatalogueError, match="没有1999年的标准目录"):
        load_standard(1999)


def test_yes_no_judges_the_answer_and_a_missing_answer_is_unknowable(std2018):
    water = std2018.indicator("H-WATER")
    assert judge(std2018, water, True) is True
    assert judge(std2018, water, False) is False
    assert judge(std2018, water, None) is None


def test_income_must_be_strictly_above_the_line(std2018):
    """§六.4: 人均纯收入超过当年扶贫标准 — exactly the line is not above it."""
    income = std2018.indicator("H-INCOME")
    assert judge(std2018, income, 2995.01) is True
    assert judge(std2018, income, 2995) is False
    assert evaluate(std2018, "household", {"H-INCOME": 2995}) == [
        Finding("H-INCOME", "人均纯收入 2,995 元，未超过 2018 年标准 2,995 元")
    ]


def test_growth_is_not_on_the_form_but_certified_by_the_statistics_bureau(std2018):
    growth = std2018.indicator("H-INCOME-GROWTH")
    assert not growth.on_form and growth.certified_by == "TJJ"
    assert judge(std2018, growth, 1.0) is None  # only 县统计局's 核定 makes it a gap
    assert std2018.indicator("H-INCOME").certified_by == "NJJ"


def test_dibao_gap_only_for_eligible_not_covered_or_covered_not_eligible(std2018):
    def dibao(eligible, covered):
        return evaluate(std2018, "household", {"H-DIBAO/eligible": eligible, "H-DIBAO": covered})

    assert dibao(False, False) == []  # correctly not on 低保: no gap
    assert dibao(True, True) == []
    assert dibao(True, False) == [
        Finding("H-DIBAO", "符合低保条件：是；已纳入低保：否", "低保应纳未纳")
    ]
    assert dibao(False, True) == [
        Finding("H-DIBAO", "符合低保条件：否；已纳入低保：是", "低保应退未退")
    ]


def test_not_applicable_is_never_a_gap(std2018):
    assert evaluate(std2018, "household", {"H-EDU": "不涉及", "H-PENSION": "不涉及"}) == []


def test_household_evaluation_finds_exactly_the_unmet_indicators(std2018):
    answers = {code: True for code in HOUSEHOLD}
    answers.update(
        {
            "H-INCOME": 2650.0,
            "H-WATER": False,
            "A-BOOKLET": False,
            "H-TV": None,
        }
    )
    assert evaluate(std2018, "household", answers) == [
        Finding("H-INCOME", "人均纯收入 2,650 元，未超过 2018 年标准 2,995 元"),
        Finding("H-WATER", "有安全饮水：否"),
        Finding("A-BOOKLET", "帮扶手册、扶持证填写规范：否"),
    ]


def test_village_evaluation_uses_the_fixed_five_wan_line(std2018):
    answers = {code: True for code in VILLAGE}
    answers.update({"V-COLLECTIVE-INCOME": 3.2, "V-SHOP": False})
    assert evaluate(std2018, "village", answers) == [
        Finding("V-COLLECTIVE-INCOME", "集体经济年收入 3.2 万元，低于标准 5 万元"),
        Finding("V-SHOP", "有惠民超市：否"),
    ]
    assert evaluate(std2018, "village", {"V-COLLECTIVE-INCOME": 5}) == []


def test_township_evaluation_and_missing_answers_are_not_gaps(std2018):
    assert evaluate(std2018, "township", {"T-FAMILY-PLANNING": False}) == [
        Finding("T-FAMILY-PLANNING", "有计生服务站：否")
    ]
    assert evaluate(std2018, "township", {}) == []


def test_the_same_income_is_judged_by_each_year_own_line():
    assert evaluate(load_standard(2018), "household", {"H-INCOME": 3100}) == []
    assert evaluate(load_standard(2019), "household", {"H-INCOME": 3100}) == [
        Finding("H-INCOME", "人均纯收入 3,100 元，未超过 2019 年标准 3,218 元")
    ]


def test_evaluating_an_unknown_subject_kind_is_a_programming_error(std2018):
    with pytest.raises(ValueError, match="subject kind"):
        evaluate(std2018, "county", {})


def test_judging_a_wrongly_typed_answer_is_a_programming_error(std2018):
    with pytest.raises(TypeError):
        judge(std2018, std2018.indicator("H-WATER"), "是")
    with pytest.raises(TypeError):
        judge(std2018, std2018.indicator("H-INCOME"), True)


def test_an_uploaded_catalogue_with_errors_lists_every_problem(std2018):
    doc = copy.deepcopy(standard_to_dict(std2018))
    doc["version"] = 0
    doc["poverty_line"] = {"amount": "两千九", "source": "", "confirmed": "yes"}
    doc["colour"] = "red"
    items = doc["indicators"]
    items[2]["judge"] = "yes-no"  # H-WATER
    items[3]["code"] = "H-WATER"  # H-POWER renamed into a duplicate
    del items[4]["label"]  # H-TV
    items[0]["threshold"] = "5千"  # H-INCOME
    items[16]["threshold"] = None  # V-COLLECTIVE-INCOME
    items[5]["threshold"] = 3  # H-DIBAO is judged by yes/no answers
    items[6]["subject_kind"] = "family"  # H-EDU
    items[7]["threshhold"] = 1  # H-MEDICAL: misspelt field
    items[8]["column"] = "住房安全有保障"  # H-PENSION: same header as H-HOUSING
    with pytest.raises(CatalogueError) as caught:
        parse_standard(doc)
    assert caught.value.problems == [
        "未知字段“colour”",
        "版本号（version）应为正整数，现为“0”",
        "当年扶贫标准（poverty_line）的金额（amount）应为正数，现为“两千九”",
        "当年扶贫标准（poverty_line）的是否核实（confirmed）应为 true 或 false",
        "第1项指标（H-INCOME）：门槛“5千”既不是数字，也不是 poverty_line 或 regional_growth",
        "第3项指标（H-WATER）：未知判定方式“yes-no”，应为以下之一：yes_no, amount_at_least, "
        "amount_above, percent_above, eligible_covered, certified",
        "第4项指标（H-WATER）：指标代码重复",
        "第5项指标（H-TV）：缺少名称（label）",
        "第6项指标（H-DIBAO）：是/否指标不应设置门槛（threshold）",
        "第7项指标（H-EDU）：未知对象类别“family”，应为 household、village 或 township",
        "第8项指标（H-MEDICAL）：未知字段“threshhold”",
        "第10项指标（H-HOUSING）：表头“住房安全有保障”与同一张表的另一指标重复",
        "第17项指标（V-COLLECTIVE-INCOME）：缺少门槛（threshold）",
    ]
    assert str(caught.value).startswith("标准目录有误：\n未知字段“colour”")


def test_a_document_that_is_not_an_object_or_has_no_indicators_is_refused():
    with pytest.raises(CatalogueError, match="JSON对象"):
        parse_standard([])
    with pytest.raises(CatalogueError) as caught:
        parse_standard({"year": 2018, "version": 1, "poverty_line": 2995, "indicators": []})
    assert caught.value.problems == ["指标列表（indicators）不能为空"]


def test_whom_an_indicator_applies_to_is_catalogue_data(std2018):
    edu, pension = std2018.indicator("H-EDU"), std2018.indicator("H-PENSION")
    assert (edu.applies_to.member_age_from, edu.applies_to.member_age_to) == (6, 15)
    assert "义务教育法" in edu.applies_to.source
    assert pension.applies_to.member_age_from == 16 and pension.applies_to.member_age_to is None
    assert [edu.applies_to.admits(age) for age in (5, 6, 15, 16)] == [False, True, True, False]
    doc = standard_to_dict(std2018)
    water = next(i for i in doc["indicators"] if i["code"] == "H-WATER")
    water["applies_to"] = {"member_age_from": 20, "member_age_to": 10, "colour": 1}
    with pytest.raises(CatalogueError) as caught:
        parse_standard(doc)
    assert caught.value.problems == [
        "第3项指标（H-WATER）：未知字段“colour”",
        "第3项指标（H-WATER）：年龄下限高于上限",
    ]
