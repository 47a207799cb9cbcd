"""The routing table page: bpmn/routing.dmn's rules with labels and department names."""

from __future__ import annotations

import pytest

from workflow.programme import routing


def test_the_rules_are_read_from_the_dmn_file_in_order():
    rules = routing.routing_rules()
    water = next(r for r in rules if r.indicator_code == "H-WATER")
    assert (water.subject_kind, water.department_code) == ("household", "SLJ")
    assert rules[-1].indicator_code == "" and rules[-1].unowned  # the fallback, last
    for rule in rules[:-1]:  # the table agrees with the decision the engine takes
        assert routing.route(rule.subject_kind, rule.indicator_code) == rule.department_code


def test_the_page_names_indicators_and_departments(county, browser):
    page = browser("fpb").get("/admin/routing").get_data(as_text=True)
    water = page[page.index("H-WATER") :][:800]
    assert "有安全饮水" in water and "县水利局" in water and ">户<" in water
    pension = page[page.index("H-PENSION") :][:800]
    assert "待县扶贫办分诊" in pension
    assert page.count("<tr") == len(routing.routing_rules()) + 1


@pytest.mark.parametrize("name, status", [("ldxz", 200), ("admin", 200), ("aoyi_fzr", 403)])
def test_who_reads_the_routing_table(county, browser, name, status):
    assert browser(name).get("/admin/routing").status_code == status
