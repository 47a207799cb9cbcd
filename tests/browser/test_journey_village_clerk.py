"""Journey 1: a village clerk downloads her pre-filled form, uploads it with one mistake, sees the
mistake by cell, fixes it and signs the forms off — in Chromium, against the real server."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.journeys import confirm_and_press, no_sideways_scroll, shoot
from tests.factories import at
from tests.scenario import ALL_YES_HOUSEHOLD, ALL_YES_VILLAGE
from tests.survey_filling import column_letter, edit, fill, rows_of
from workflow.models import HumanTask, SurveyAnswer, TaskState, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

pytestmark = pytest.mark.browser


@pytest.fixture
def launched(county, user):
    """5 July 2018: the county office launched the round a few days ago."""
    clock.set_now(at("2018-07-02T09:00"))
    rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    clock.set_now(at("2018-07-05T10:00"))


def _village_task(username: str) -> HumanTask:
    db.session.expire_all()
    clerk = db.session.scalar(sa.select(User).where(User.username == username))
    return db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.spec_name == "village_forms", HumanTask.village_id == clerk.village_id
        )
    )


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_village_clerk_files_her_forms_fixing_one_mistake(
    new_page, log_in, launched, size, tmp_path
):
    page = new_page(size)
    log_in(page, "buguna_cun")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    task_link = page.locator(".tasklist a").first
    expect(task_link).to_be_visible()
    shoot(page, "village-clerk", "1-inbox", size)
    task_link.click()
    expect(page).to_have_url(re.compile(r"/survey/tasks/\d+$"))

    forms: dict[int, bytes] = {}
    for link in page.locator("a[href*='/form/']").all():
        number = int(re.search(r"/form/(\d)\.xlsx", link.get_attribute("href")).group(1))
        with page.expect_download() as download:
            link.click()
        forms[number] = download.value.path().read_bytes()
    assert 1 in forms, "the village's 附件1 is offered for download"
    ids = rows_of(forms[1], "身份证号")
    assert len(ids) > 5, "the form comes pre-filled with the village's households"

    # She types one answer the county cannot read, in the water column of the third household.
    third = sorted(ids.values())[2]
    water = column_letter(forms[1], "有安全饮水")
    filled = fill(forms[1], "身份证号", {}, ALL_YES_HOUSEHOLD)

    wrong = tmp_path / "附件1-有误.xlsx"
    wrong.write_bytes(edit(filled, {f"{water}{third}": "大概有"}))
    page.set_input_files("input[name=file]", str(wrong))
    page.locator("form[enctype] button[type=submit]").click()

    problems = page.locator(".card.errors")
    expect(problems).to_be_visible()
    expect(problems.locator("li")).to_have_count(1)
    expect(problems.locator("li")).to_contain_text(f"附件1!{water}{third}")
    expect(problems).to_contain_text("未保存任何数据")
    shoot(page, "village-clerk", "2-error-by-cell", size)
    assert no_sideways_scroll(page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer)) == 0

    right = tmp_path / "附件1.xlsx"
    right.write_bytes(filled)
    page.set_input_files("input[name=file]", str(right))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".card.errors")).to_have_count(0)
    expect(page.locator("body")).to_contain_text(f"{len(ids)}")
    if 2 in forms:  # an exited poor village also files 附件2
        village_form = tmp_path / "附件2.xlsx"
        village_form.write_bytes(fill(forms[2], "村名", {}, ALL_YES_VILLAGE))
        page.set_input_files("input[name=file]", str(village_form))
        page.locator("form[enctype] button[type=submit]").click()
        expect(page.locator(".card.errors")).to_have_count(0)
    shoot(page, "village-clerk", "3-forms-on-file", size)

    confirm_and_press(page, "form[action$='/submit']")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".flash")).to_contain_text("已签字提交")
    shoot(page, "village-clerk", "4-submitted", size)
    assert _village_task("buguna_cun").state == TaskState.COMPLETED
