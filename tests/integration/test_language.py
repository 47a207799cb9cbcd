"""Each person reads huitou in her language: Chinese by default, or Uyghur, right to left.

The language is guessed from the browser, chosen on the login page (kept in a cookie) or on /me
(kept on the account), and notices and e-mails are written in each recipient's own language."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from notifications.models import Notice
from tests.factories import at, make_round, open_household_case
from tests.integration.test_county_data import CODE, good_sheets, workbook
from web.i18n import COOKIE
from workflow.county.base_data import load_base_data
from workflow.county.setup import create_county
from workflow.models import HelpCase, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed

OVERDUE = "2018-10-01T00:00:30+08:00"  # just past the deadline of 30 September
HTML_TAG = re.compile(r"<html[^>]*>")


def html_tag(response) -> str:
    return HTML_TAG.search(response.get_data(as_text=True)).group(0)


def test_the_login_page_follows_the_browser_then_the_choice_it_remembers(browser):
    visitor = browser()
    chinese = visitor.get("/login")
    assert html_tag(chinese) == '<html lang="zh-Hans" dir="ltr">'
    assert "登录" in chinese.get_data(as_text=True)

    guessed = visitor.get("/login", headers={"Accept-Language": "ug-CN,ug;q=0.9,zh;q=0.5"})
    assert html_tag(guessed) == '<html lang="ug" dir="rtl">'
    assert "كىرىش" in guessed.get_data(as_text=True)  # "Log in"

    switched = visitor.post("/language", {"language": "ug", "next": "/login"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/login")
    assert visitor.client.get_cookie(COOKIE).value == "ug"
    remembered = visitor.get("/login", headers={"Accept-Language": "zh-CN"})
    assert html_tag(remembered) == '<html lang="ug" dir="rtl">', "the choice beats the browser"
    assert "ئىشلەتكۈچى ئاتى" in remembered.get_data(as_text=True)  # "Username"

    wrong = visitor.post("/login", {"username": "buguna_cun", "password": "not-it"})
    assert "ئىشلەتكۈچى ئاتى ياكى پارول خاتا." in wrong.get_data(as_text=True)


def test_a_person_chooses_uyghur_on_her_page_and_keeps_it(browser, user):
    clerk = browser("buguna_cun")
    assert html_tag(clerk.get("/me")) == '<html lang="zh-Hans" dir="ltr">'
    answer = clerk.post("/language", {"language": "ug", "next": "/me"})
    assert answer.status_code == 302
    db.session.expire_all()
    assert user("buguna_cun").language == "ug"

    page = clerk.get("/me", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="ug" dir="rtl">' in page
    assert "شەخسىي تەڭشەك" in page  # "My settings"
    assert 'value="ug" checked' in page
    inbox = clerk.get("/inbox").get_data(as_text=True)
    assert "بېجىرىدىغان ئىشلار" in inbox  # "Inbox"

    # Another person's pages stay Chinese.
    other = browser("aoyi_zg").get("/me").get_data(as_text=True)
    assert '<html lang="zh-Hans" dir="ltr">' in other and "个人设置" in other

    back = clerk.post("/language", {"language": "zh", "next": "/me"})
    assert back.status_code == 302
    assert "个人设置" in clerk.get("/me").get_data(as_text=True)


def test_a_nonsense_language_changes_nothing(browser, user):
    clerk = browser("buguna_cun")
    assert clerk.post("/language", {"language": "fr"}).status_code == 302
    db.session.expire_all()
    assert user("buguna_cun").language == "zh"


@pytest.fixture
def overdue_case(county):
    """A household case routed to the water bureau, due on 30 September 2018."""
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    db.session.commit()
    return case.id


def test_mail_and_notices_go_out_in_each_recipients_language(
    overdue_case, user, run_tick, smtp_server
):
    user("aoyi_fzr").language = "ug"  # the township leader reads Uyghur, the department Chinese
    db.session.commit()
    run_tick(OVERDUE)

    [uyghur] = smtp_server.to(user("aoyi_fzr").email)
    assert uyghur.subject.startswith("مۆھلىتى ئۆتتى: ")
    # Each value is isolated (U+2068 … U+2069): the date reads 2018-09-30, not 30-09-2018.
    assert f"\u2068#{overdue_case} " in uyghur.subject
    assert "\u20682018-09-30\u2069" in uyghur.subject
    assert "سۇپىسىدا كۆرۈش" in uyghur.body and f"/cases/{overdue_case}" in uyghur.body
    assert "جاۋاب قايتۇرماڭ" in uyghur.body  # the footer, too
    assert not re.search(r"[\u4e00-\u9fff]{2,}(?:：|，)", uyghur.subject), "no Chinese sentence"
    assert "بىخەتەر ئىچىملىك سۇ بار" in uyghur.subject, "the indicator named in Uyghur"
    assert "有安全饮水" not in uyghur.subject

    [chinese] = smtp_server.to(user("dept_slj_fzr").email)
    assert chinese.subject.startswith(f"逾期督办：帮扶事项 #{overdue_case} ")
    assert "有安全饮水" in chinese.subject
    assert "请勿直接回复" in chinese.body and "جاۋاب" not in chinese.body

    notices = {
        n.user_id: n.subject
        for n in db.session.scalars(
            sa.select(Notice).where(Notice.event_key == f"case:{overdue_case}:level:1")
        )
    }
    assert notices[user("aoyi_fzr").id].startswith("مۆھلىتى ئۆتتى")
    assert notices[user("dept_slj_fzr").id].startswith("逾期督办")


def test_the_case_list_and_inbox_find_a_household_by_its_chinese_or_uyghur_name(
    overdue_case, browser
):
    case = db.session.get(HelpCase, overdue_case)
    case.household.head_name = "阿不都·热合曼"
    case.household.head_name_ug = "ئابدۇراخمان"
    id_number = case.household.id_number
    db.session.commit()
    clerk = browser("dept_slj")

    def found(query: str) -> bool:
        page = clerk.get("/cases", query_string={"show": "all", "q": query})
        assert page.status_code == 200
        return f'href="/cases/{overdue_case}"' in page.get_data(as_text=True)

    assert found("阿不都·热合曼") and found("阿不都热合曼") and found("热合曼")
    assert found("阿不都•热合曼"), "another middle dot, as a phone keyboard types it"
    assert found("ئابدۇراخمان") and found(id_number[-6:])
    assert not found("买买提") and not found("100%")
    assert found("")  # no name: every case

    def in_inbox(query: str) -> bool:
        page = clerk.get("/inbox", query_string={"who": query})
        assert page.status_code == 200
        return 'class="tasklist"' in page.get_data(as_text=True)  # the case's planning task

    assert in_inbox("阿不都热合曼") and in_inbox("ئابدۇراخمان") and in_inbox(id_number[-6:])
    assert not in_inbox("买买提")

    clerk.post("/language", {"language": "ug"})
    page = clerk.get(f"/cases/{overdue_case}").get_data(as_text=True)
    assert "ئابدۇراخمان" in page, "a Uyghur reader sees the name as written in Uyghur"
    nobody = {"show": "all", "q": "无此户主"}  # a name no household has
    listed = clerk.get("/cases", query_string=nobody).get_data(as_text=True)
    assert "ناملىق ئائىلىنىڭ ياردەم تۈرى يوق" in listed


@pytest.fixture
def new_county(app):
    """A county just created, with its administrator only (as test_county_data's)."""
    create_county("若羌县", CODE, "admin", "Ruoqiang-2018")
    db.session.commit()
    return db.session.scalar(sa.select(User).where(User.username == "admin"))


def test_the_base_data_workbook_may_set_a_persons_language(new_county):
    sheets = good_sheets()
    people = sheets["人员"]
    people[0].append("使用语言")
    people[1].append("维吾尔文")  # the village clerk reads Uyghur
    people[2].append("中文")
    report = load_base_data(workbook(sheets), new_county)
    db.session.commit()
    languages = dict(db.session.execute(sa.select(User.username, User.language)).all())
    assert languages["tj_cun"] == "ug" and languages["rqz_zg"] == "zh"
    assert languages["slj_jb"] == "zh", "no language given: Chinese"
    assert report.first_passwords

    db.session.execute(sa.update(User).where(User.username == "slj_jb").values(language="ug"))
    db.session.commit()
    load_base_data(workbook(good_sheets()), new_county)  # a file without the column
    db.session.commit()
    assert db.session.scalar(sa.select(User.language).where(User.username == "slj_jb")) == "ug"

    people[1][-1] = "法语"
    with pytest.raises(ValidationFailed):
        load_base_data(workbook(sheets), new_county)


def test_a_uyghur_reader_sees_indicators_and_steps_named_in_uyghur(overdue_case, browser):
    clerk = browser("dept_slj")
    chinese = clerk.get(f"/cases/{overdue_case}").get_data(as_text=True)
    assert "<h1>有安全饮水 <small>" in chinese and "<b>制定帮扶措施</b>" in chinese
    clerk.post("/language", {"language": "ug", "next": "/me"})
    case_page = clerk.get(f"/cases/{overdue_case}").get_data(as_text=True)
    assert "<h1>بىخەتەر ئىچىملىك سۇ بار <small>" in case_page
    assert "<b>ياردەم تەدبىرى تۈزۈش</b>" in case_page
    inbox = clerk.get("/inbox").get_data(as_text=True)
    assert '<span class="title">ياردەم تەدبىرى تۈزۈش</span>' in inbox
    assert "有安全饮水" not in inbox and "制定帮扶措施" not in inbox
