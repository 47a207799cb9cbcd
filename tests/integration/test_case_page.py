"""The case page as a clerk reads it: who, what, by when and how late; the steps on the diagram;
the history in sentences, never codes or JSON."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from tests.factories import at, make_round, open_household_case
from workflow.cases import acceptance
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

PLAN = {
    "measure": "铺设入户自来水管道",
    "target_standard": "全天候安全饮水",
    "responsible_person": "张水利",
    "planned_completion": "2018-09-20",
}


def text_of(response) -> str:
    """The page's visible words, tags dropped."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def history_of(response) -> list[str]:
    """The lines of the page's history list, as read."""
    html = response.get_data(as_text=True)
    block = re.search(r'<ol class="history case-history">(.*?)</ol>', html, re.S)
    assert block, "the page has no history list"
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", item))).strip()
        for item in re.findall(r"<li\b[^>]*>(.*?)</li>", block.group(1), re.S)
    ]


def water_case(due: date = date(2018, 9, 30)):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=due)
    db.session.commit()
    return case


def test_header_names_who_what_whom_and_the_deadline_with_days_left(county, browser):
    case = water_case()
    clock.set_now(at("2018-09-20T10:00"))
    page = text_of(browser("aoyi_zg").get(f"/cases/{case.id}"))
    assert case.subject_label in page and "奥依亚依拉克镇 · 布古纳村" in page
    assert "有安全饮水" in page and "县水利局" in page
    assert "2018-09-30（北京时间当日24时前）" in page
    assert "剩余 10 天" in page
    assert "未督办" in page
    assert "当前环节 制定帮扶措施 · 县水利局" in page


def test_overdue_case_shows_days_overdue_level_reached_and_the_system_s_sentences(
    county, browser, run_tick
):
    case = water_case()
    run_tick("2018-09-23T09:00:30+08:00")
    run_tick("2018-10-01T00:00:30+08:00")
    clock.set_now(at("2018-10-04T10:00"))
    response = browser("fpb").get(f"/cases/{case.id}")
    html = response.get_data(as_text=True)
    assert re.search(r'<span class="pill overdue">逾期 3 天</span>', html)
    assert "1 级督办" in text_of(response)
    lines = history_of(response)
    assert any(
        line.startswith("2018-09-23 09:00 系统 到期前提醒，已通知县水利局经办人") for line in lines
    ), lines
    assert any(
        "系统 逾期一级督办，已通知县水利局负责人和奥依亚依拉克镇负责人" in line for line in lines
    ), lines


def test_history_tells_each_step_in_words_with_unit_and_name(county, browser, user):
    case = water_case()
    clerk = browser("dept_slj")
    clock.set_now(at("2018-08-02T10:14"))
    assert clerk.post(f"/cases/{case.id}/plan", PLAN).status_code == 303
    clock.set_now(at("2018-08-10T16:00"))
    clerk.post(f"/cases/{case.id}/progress", {"text": "管道已采购", "funds": "12000"})
    clerk.post(f"/cases/{case.id}/submit", {"summary": "管道已铺设入户"})
    township = browser("aoyi_zg")
    township.post(f"/cases/{case.id}/verify", {"decision": "back", "reason": "水表未安装"})

    lines = history_of(township.get(f"/cases/{case.id}"))
    name = user("dept_slj").display_name
    assert lines[1] == (
        f"2018-08-02 10:14 县水利局 {name} 提交了帮扶措施：铺设入户自来水管道（责任人：张水利）"
    )
    assert lines[2].endswith("记录了进展：管道已采购；本次使用资金 12000 元")
    assert lines[3].endswith("报告已完成：管道已铺设入户，请乡镇核验")
    assert lines[4] == (
        f"2018-08-10 16:00 奥依亚依拉克镇 {user('aoyi_zg').display_name} "
        "实地核验未通过，退回部门：水表未安装"
    )
    assert lines[0].startswith("2018-08-01 10:00 系统 立项“有安全饮水”，交县水利局办理")
    for line in lines:
        assert not re.search(r"case\.|[{}\[\]]|_level|\"", line), f"a code or JSON leaked: {line}"


def test_diagram_names_the_waiting_step_and_the_steps_done(county, browser):
    case = water_case()
    clerk = browser("dept_slj")
    first = clerk.get(f"/cases/{case.id}/diagram")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.json["xml"].lstrip().startswith("<?xml")
    assert 'id="plan_measure"' in first.json["xml"]
    assert first.json["current"] == ["plan_measure"]
    assert "plan_measure" not in first.json["done"]

    clerk.post(f"/cases/{case.id}/plan", PLAN)
    after = clerk.get(f"/cases/{case.id}/diagram").json
    assert after["current"] == ["carry_out"]
    assert "plan_measure" in after["done"] and "case_opened" in after["done"]


def test_diagram_is_for_those_who_may_see_the_case(county, browser):
    case = water_case()
    assert browser("qmz_zg").get(f"/cases/{case.id}/diagram").status_code == 403
    assert browser("dept_jtj").get(f"/cases/{case.id}/diagram").status_code == 403
    assert browser("buguna_cun").get(f"/cases/{case.id}/diagram").status_code == 200
    assert browser().get(f"/cases/{case.id}/diagram").status_code == 401


def test_page_loads_the_viewer_from_huitou_itself_and_keeps_script_out_of_the_html(county, browser):
    case = water_case()
    html = browser("dept_slj").get(f"/cases/{case.id}").get_data(as_text=True)
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the case page loads the diagram's script"
    for attributes, body in scripts:
        assert body.strip() == "", "no inline script"
        assert re.search(r'src="/static/', attributes), attributes
    assert "//cdn" not in html and "unpkg" not in html
    assert f'data-case-diagram="/cases/{case.id}/diagram"' in html


def test_a_carried_over_case_tells_last_year_s_story_first(county, user, browser, run_tick):
    clock.set_now(at("2018-08-01T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    old = open_household_case(round_, due=date(2018, 9, 30))
    db.session.commit()
    run_tick("2019-01-01T00:30+08:00")  # year end: the acceptance opens
    clock.set_now(at("2019-01-05T10:00"))
    acceptance.finish_acceptance(round_, user("fpb"))
    db.session.commit()
    run_tick("2019-01-10T09:00+08:00")
    new = acceptance.case_story(db.session.get(type(old), old.id))[-1]
    assert new.id != old.id

    lines = history_of(browser("dept_slj").get(f"/cases/{new.id}"))
    assert lines[0].startswith("2018-08-01 10:00 系统 立项“有安全饮水”，交县水利局办理")
    assert lines[0].endswith(f"（2018 年度，事项 #{old.id}）")
    assert any("逾期一级督办" in line for line in lines)
    assert "由上年度结转，继续办理，限 2019-12-31 前完成" in lines[-1], lines
    assert "年度，事项" not in lines[-1]
