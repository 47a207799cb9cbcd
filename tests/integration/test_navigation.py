"""The menu shows each role what it works with; the administration menu, what it may open."""

from __future__ import annotations

import re

import pytest


def _menu(page) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', page.get_data(as_text=True), re.S).group(0)
    return [re.sub(r"<[^>]+>|\d+", "", a).strip() for a in re.findall(r"<a .*?</a>", nav, re.S)]


@pytest.mark.parametrize(
    ("username", "sees", "not_sees"),
    [
        ("buguna_cun", ["待办", "帮扶事项", "通知"], ["逾期督办", "工作进度", "系统管理"]),
        ("dept_slj", ["待办", "帮扶事项"], ["逾期督办", "系统管理"]),
        ("aoyi_fzr", ["逾期督办", "工作进度"], ["系统管理"]),
        ("ldxz", ["逾期督办", "工作进度", "系统管理"], []),
        ("admin", ["系统管理"], ["逾期督办"]),
    ],
)
def test_menu_follows_the_role(county, browser, username, sees, not_sees):
    menu = " ".join(_menu(browser(username).get("/inbox")))
    for item in sees:
        assert item in menu, (username, item, menu)
    for item in not_sees:
        assert item not in menu, (username, item, menu)


@pytest.mark.parametrize(
    ("username", "sections"),
    [
        (
            "admin",
            [
                "县情设置",
                "用户管理",
                "标准目录",
                "年度时间节点",
                "归口责任表",
                "API 令牌",
                "运行监控",
            ],
        ),
        ("fpb", ["标准目录", "年度时间节点", "归口责任表", "运行监控"]),
        ("ldxz", ["归口责任表"]),
    ],
)
def test_administration_menu_lists_only_what_the_role_may_open(county, browser, username, sections):
    page = browser(username).get("/admin")
    found = re.findall(r"<strong>(.*?)</strong>", page.get_data(as_text=True))
    assert found == sections
