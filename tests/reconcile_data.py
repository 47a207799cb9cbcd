"""A police extract written from the register as stored, with differences planted, the way a
county's public-security bureau hands it over (title rows, its own column order, full-width
digits in 户号, lower-case x in IDs, a blank line)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import Workbook

from workflow.models import Household, HouseholdMember
from workflow.platform.db import db

HEADER = ("公民身份号码", "姓名", "户号", "与户主关系", "出生日期", "户籍状态", "变动日期")
STATUS_WORDS = {"normal": "正常", "deceased": "死亡", "moved_out": "迁出"}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def police_people() -> dict[int, list[dict]]:
    """Every register member as the police would list them, by household id: 户号 P + the
    household's id, same name, relation, standing."""
    people: dict[int, list[dict]] = {}
    rows = db.session.execute(
        sa.select(HouseholdMember, Household.id)
        .join(Household, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.in_register, Household.in_register)
        .order_by(Household.id, HouseholdMember.id)
    )
    for member, household_id in rows:
        people.setdefault(household_id, []).append(
            {
                "id": member.id_number,
                "name": member.name,
                "household": f"P{household_id:06d}",
                "relation": member.relation,
                "born": member.birth_date,
                "status": STATUS_WORDS[member.status],
                "changed": None,
            }
        )
    return people


def police_workbook(people: dict[int, list[dict]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "户籍人口"
    sheet.append(["某县公安局户籍人口信息导出"])
    sheet.append(["导出时间：2018年7月20日"])
    sheet.append(list(HEADER))
    for n, person in enumerate(p for group in people.values() for p in group):
        sheet.append(
            [
                person["id"].lower() if n % 2 else person["id"],
                person["name"],
                person["household"].translate(FULL_WIDTH),
                person["relation"],
                person["born"],
                person["status"],
                person["changed"],
            ]
        )
        if n == 3:
            sheet.append([])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
