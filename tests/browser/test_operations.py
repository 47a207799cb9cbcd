"""The operations page in a real Chromium, at a desk and on a phone: a case's process failing
in the tick is listed with its error, a mail that gave up beside it; after the fix the county
office retries it, and opens the instance's diagram with the step it waits on marked."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from notifications.wiring import tick_and_deliver
from tests.diagrams import with_step_after
from tests.factories import at, failed_message, make_round, open_household_case, work_done
from workflow import services
from workflow.engine import specs
from workflow.engine.services import register_services
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"


@pytest.fixture
def failing_case(county, user):
    """A water case whose reminder fails in the tick (the mail server is down) and a message
    that gave up; the clock three hours on, the scheduler stopped meanwhile."""

    def escalate_case(case_id: int, level: int) -> bool:
        raise RuntimeError("SMTP server not answering (连接被拒绝)")

    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    failed_message(user("dept_slj"))
    db.session.commit()
    register_services({**services.SERVICES, "escalate_case": escalate_case})
    try:
        tick_and_deliver(at("2018-09-23T09:01+08:00"))
    finally:
        services.install()
    register_services({**services.SERVICES, "escalate_case": escalate_case})
    clock.set_now(at("2018-09-23T12:00"))
    yield case
    services.install()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_office_sees_the_incident_retries_it_and_opens_its_diagram(
    new_page, log_in, failing_case, size
):
    page = new_page(size)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "fpb")
    page.goto("/admin")
    page.click("text=运行监控")
    expect(page.locator(".incidents")).to_contain_text("SMTP server not answering")
    expect(page.locator(".incidents")).to_contain_text("2018-09-23 09:06")  # the next try
    expect(page.locator(".failed-mail")).to_contain_text("SMTPServerDisconnected")
    expect(page.locator(".self-check .late-count")).to_contain_text("1")
    expect(page.locator(".self-check .last-tick")).to_contain_text("超过 10 分钟未运行")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, f"operations-{size}.png")

    page.click(f"text=#{failing_case.instance_id}")
    holder = page.locator("[data-case-diagram][data-rendered=true]")
    expect(holder).to_be_visible()
    current = page.locator('.djs-element.huitou-current[data-element-id="plan_measure"]')
    expect(current).to_have_count(1)
    expect(page.locator(".data-json")).to_contain_text('"case_id"')
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(page, f"operations-instance-{size}.png")

    services.install()  # the fix
    page.click("button:has-text('重试')")
    expect(page.locator(".flash.success")).to_contain_text("重试成功")
    expect(page.locator(".incidents")).to_contain_text("没有出错的流程")
    _shot(page, f"operations-retried-{size}.png")
    assert not errors, errors


@pytest.fixture
def behind(county, tmp_path):
    """A water case started on today's gap_case, then a new version with a step after
    planning in the diagram folder."""
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    db.session.commit()
    specs.use_diagram_dir(with_step_after(tmp_path))
    yield case
    specs.use_diagram_dir(None)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_versions_page_shows_the_old_diagram_and_migrates(new_page, log_in, behind, size):
    page = new_page(size)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "admin")
    page.goto("/operations/processes")
    expect(page.locator("#process-gap_case")).to_contain_text("尚未被任何流程使用")
    _shot(page, f"process-versions-{size}.png")
    page.locator("#process-gap_case a code").first.click()
    expect(page.locator(".version-changes")).to_contain_text("新增 · 复核帮扶措施")
    expect(page.locator("[data-case-diagram][data-rendered=true]")).to_be_visible()
    marked = page.locator('.djs-element.huitou-current[data-element-id="plan_measure"]')
    expect(marked).to_have_count(1)
    _shot(page, f"process-version-{size}.png")
    page.goto("/operations/processes/gap_case/migrate")
    expect(page.locator(".migration-plan")).to_contain_text("制定帮扶措施")
    _shot(page, f"process-migrate-{size}.png")
    page.click("button:has-text('迁移可迁移的 1 个')")
    expect(page.locator(".flash.success")).to_contain_text("1 个流程中 1 个已迁移到最新版本")
    expect(page.locator("main")).to_contain_text("所有运行中的流程均已是最新版本")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not errors, errors


def test_the_office_moves_a_wrong_done_back_on_a_phone(new_page, log_in, county, user):
    clock.set_now(at("2018-08-01T10:00"))
    case = work_done(open_household_case(make_round(), due=date(2018, 9, 30)), user("dept_slj"))
    db.session.commit()
    page = new_page("phone")
    log_in(page, "fpb")
    page.goto(f"/operations/instances/{case.instance_id}")
    page.select_option("select[name=step]", "carry_out")
    page.fill("textarea[name=reason]", "误报已完成，管道尚未通水")
    _shot(page, "operations-move-back-phone.png")
    page.click("button:has-text('退回')")
    expect(page.locator(".flash.success")).to_contain_text("个案已退回到所选环节")
    expect(page.locator(".move-back h2")).to_contain_text("落实中")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
