"""What the rows of a register workbook say about each other: duplicate numbers and IDs,
members without a household, family sizes that disagree with the member rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from workflow.forms.reader import FormError
from workflow.forms.register_layout import HOUSEHOLD_SHEET, MEMBER_SHEET
from workflow.platform.i18n import _


@dataclass(slots=True)
class HouseholdIn:
    """One row of the 贫困户 sheet, read."""

    row: int
    number: str
    township: str
    village: str
    head_name: str
    head_id: str
    family_size: int
    attribute: str
    cause: str
    exit_year: int | None
    planned_exit_year: int | None
    helper_name: str
    helper_unit: str
    phone: str
    head_name_ug: str = ""  # the head's name in Uyghur script, where the register gives it


@dataclass(slots=True)
class MemberIn:
    """One row of the 家庭成员 sheet, read; `household` is the key of its household."""

    row: int
    household: str
    name: str
    id_number: str
    relation: str
    sex: str
    birth_date: date
    schooling: str
    health: str
    skill: str
    medical: bool
    pension: bool
    subsistence: bool
    destitute: bool
    status: str


@dataclass
class RegisterBook:
    """What a register workbook holds; usable only when errors is empty."""

    households: list[HouseholdIn] = field(default_factory=list)
    members: list[MemberIn] = field(default_factory=list)
    errors: list[FormError] = field(default_factory=list)
    household_columns: dict[str, str] = field(default_factory=dict)  # field → column letter
    member_columns: dict[str, str] = field(default_factory=dict)

    def cell(self, household: HouseholdIn, key: str) -> str:
        """The cell of one field of a household row, as `B7`."""
        return f"{self.household_columns.get(key, 'A')}{household.row}"


def household_key(number: str, head_id: str) -> str:
    """How a member names its household: the 户编号 when there is one, else the head's ID."""
    return number or head_id


def check_file(book: RegisterBook) -> None:
    """What rows say about each other: duplicates, members without a household, family sizes."""
    errors = book.errors
    households: dict[str, HouseholdIn] = {}  # by 户编号 and by the head's ID
    for h in book.households:
        for key, field_ in ((h.number, "number"), (h.head_id, "head_id")):
            if not key:
                continue
            other = households.get(key)
            if other is not None and other is not h:
                errors.append(
                    FormError(
                        HOUSEHOLD_SHEET,
                        book.cell(h, field_),
                        _("“%(value)s” is also on row %(row)s.", value=key, row=other.row),
                    )
                )
            else:
                households[key] = h
    letters = book.member_columns
    key_letter = letters.get("number") or letters.get("head_id", "A")
    id_letter = letters.get("id_number", "A")
    seen: dict[str, int] = {}
    normal: dict[int, int] = {}  # household row → members with status normal
    for m in book.members:
        if m.id_number:
            first = seen.setdefault(m.id_number, m.row)
            head = households.get(m.id_number)
            if first != m.row:
                errors.append(
                    FormError(
                        MEMBER_SHEET,
                        f"{id_letter}{m.row}",
                        _("“%(value)s” is also on row %(row)s.", value=m.id_number, row=first),
                    )
                )
            elif (
                head is not None
                and household_key(head.number, head.head_id) != m.household
                and (households.get(m.household) is not head)
            ):
                errors.append(
                    FormError(
                        MEMBER_SHEET,
                        f"{id_letter}{m.row}",
                        _(
                            "%(value)s is the head of the household on %(sheet)s row %(row)s, "
                            "not a member of this one.",
                            value=m.id_number,
                            sheet=HOUSEHOLD_SHEET,
                            row=head.row,
                        ),
                    )
                )
        home = households.get(m.household)
        if home is None:
            errors.append(
                FormError(
                    MEMBER_SHEET,
                    f"{key_letter}{m.row}",
                    _(
                        "The member's household “%(key)s” is not on the sheet %(sheet)s.",
                        key=m.household,
                        sheet=HOUSEHOLD_SHEET,
                    ),
                )
            )
            continue
        m.household = household_key(home.number, home.head_id)
        if m.status == "normal":
            normal[home.row] = normal.get(home.row, 0) + 1
    for h in book.households:
        listed = normal.get(h.row, 0)
        if h.family_size is not None and listed != h.family_size:
            errors.append(
                FormError(
                    HOUSEHOLD_SHEET,
                    book.cell(h, "family_size"),
                    _(
                        "The family size is %(size)s but the sheet %(sheet)s lists %(count)s "
                        "living members still in the household.",
                        size=h.family_size,
                        sheet=MEMBER_SHEET,
                        count=listed,
                    ),
                )
            )
