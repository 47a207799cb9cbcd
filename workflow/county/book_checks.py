"""The rules of the county base-data workbook: codes under the county's, no duplicates, every
reference resolved (a village's township, a person's unit) against the file and what the county
already holds, and each person's unit of the kind her role needs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from workflow.county.book_reader import BookRow, RawBook
from workflow.county.sheets import (
    DEPARTMENTS,
    LANGUAGE_SPELLINGS,
    PEOPLE,
    ROLE_ALIASES,
    TOWNSHIPS,
    VILLAGES,
)
from workflow.forms.reader import FormError
from workflow.models import Role
from workflow.platform.i18n import _, gettext

_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[\d-]{7,20}")
_DEPARTMENT_CODE = re.compile(r"[A-Z0-9_]{1,16}")


@dataclass(frozen=True)
class Known:
    """What the county already holds: townships, villages (name, township code), departments."""

    townships: dict[str, str] = field(default_factory=dict)
    villages: dict[str, tuple[str, str]] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TownshipEntry:
    code: str
    name: str


@dataclass(frozen=True)
class VillageEntry:
    code: str
    name: str
    township_code: str
    is_poor: bool
    exit_year: int | None


@dataclass(frozen=True)
class DepartmentEntry:
    code: str
    name: str
    clause: str


@dataclass(frozen=True)
class PersonEntry:
    username: str
    name: str
    role: Role
    unit_code: str | None  # village, township or department code; None for county-wide roles
    phone: str
    email: str
    language: str = ""  # "zh", "ug", or "" (not given: the person's choice stays)


@dataclass
class CountyData:
    """The base data of a workbook, checked; loadable only when errors is empty."""

    townships: list[TownshipEntry] = field(default_factory=list)
    villages: list[VillageEntry] = field(default_factory=list)
    departments: list[DepartmentEntry] = field(default_factory=list)
    people: list[PersonEntry] = field(default_factory=list)
    errors: list[FormError] = field(default_factory=list)


def _plain(text: object) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text)))


def role_named(text: str) -> Role | None:
    """Return the role a 人员 sheet names (its Chinese name, or its English value), or None."""
    plain = _plain(text)
    if plain in ROLE_ALIASES:
        return Role(ROLE_ALIASES[plain])
    for role in Role:
        if plain in (role.value, _plain(gettext(f"role:{role.value}"))):
            return role
    return None


class _Checker:
    """Walks the four sheets once, in order, so each can refer to the ones before it."""

    def __init__(self, raw: RawBook, county_code: str, county_name: str, known: Known) -> None:
        self.raw, self.county_code, self.county_name = raw, county_code, county_name
        self.known = known
        self.data = CountyData()
        self.townships = dict(known.townships)  # code → name
        self.villages = dict(known.villages)  # code → (name, township code)
        self.departments = dict(known.departments)  # code → name

    def error(self, row: BookRow, key: str, message: str) -> None:
        self.data.errors.append(FormError(row.sheet, row.where(key), message))

    def once(self, seen: dict, key: object, row: BookRow, field_: str, what: str) -> bool:
        """Record a repeat of a code or name in one sheet; True for the first time it is seen."""
        if key in seen:
            self.error(
                row,
                field_,
                _("%(what)s repeats %(cell)s.", what=what, cell=seen[key]),
            )
            return False
        seen[key] = row.where(field_)
        return True

    def check_townships(self) -> None:
        codes, names = {}, {}
        for row in self.raw.rows.get(TOWNSHIPS, []):
            code, name = row.values.get("code"), row.values.get("name")
            if code is not None:
                if len(code) == 12 and code.endswith("000"):
                    code = code[:9]
                if len(code) != 9 or not code.startswith(self.county_code):
                    self.error(row, "code", self._not_under("township", row.values["code"]))
                    code = None
            ok = code is not None and self.once(codes, code, row, "code", _("The code"))
            ok = name is not None and self.once(names, name, row, "name", _("The name")) and ok
            if ok:
                self.data.townships.append(TownshipEntry(code, name))
        for entry in self.data.townships:
            self.townships[entry.code] = entry.name

    def _not_under(self, kind: str, code: str) -> str:
        if kind == "township":
            return _(
                "“%(code)s” is not a township division code of this county: 9 digits (or 12 "
                "ending in 000) beginning with %(county)s.",
                code=code,
                county=self.county_code,
            )
        return _(
            "“%(code)s” is not a village division code of this county: 12 digits beginning "
            "with %(county)s.",
            code=code,
            county=self.county_code,
        )

    def township_of(self, text: str) -> str | None:
        """Return the code of the township a cell names by code or by name."""
        plain = _plain(text)
        code = plain[:9] if len(plain) == 12 and plain.endswith("000") else plain
        if code in self.townships:
            return code
        return next((c for c, name in self.townships.items() if name == plain), None)

    def check_villages(self) -> None:
        codes, names = {}, {}
        for row in self.raw.rows.get(VILLAGES, []):
            v = row.values
            code = v.get("code")
            if code is not None and (len(code) != 12 or not code.startswith(self.county_code)):
                self.error(row, "code", self._not_under("village", code))
                code = None
            township = self.township_of(v["township"]) if "township" in v else None
            if "township" in v and township is None:
                self.error(
                    row,
                    "township",
                    _(
                        "The township “%(name)s” is neither on the townships sheet nor known "
                        "to the county.",
                        name=v["township"],
                    ),
                )
            elif code and township and not code.startswith(township):
                self.error(
                    row,
                    "code",
                    _(
                        "The code “%(code)s” is not under its township %(township)s (%(prefix)s).",
                        code=code,
                        township=self.townships[township],
                        prefix=township,
                    ),
                )
                code = None
            poor, year = v.get("poor", False), v.get("exit_year")
            unread = self.raw_errors_at(row)  # an unread 是否贫困村 cannot judge its exit year
            if year is not None and not poor and "poor" not in unread:
                self.error(row, "exit_year", _("Only a poor village has an exit year."))
            if poor and year is None and "exit_year" not in unread:
                self.error(row, "exit_year", _("A poor village needs its exit year."))
            ok = code is not None and self.once(codes, code, row, "code", _("The code"))
            if township and "name" in v:
                ok = self.once(names, (township, v["name"]), row, "name", _("The name")) and ok
            if ok and township and "name" in v and (year is None) == (not poor):
                self.data.villages.append(VillageEntry(code, v["name"], township, poor, year))
        for entry in self.data.villages:
            self.villages[entry.code] = (entry.name, entry.township_code)

    def raw_errors_at(self, row: BookRow) -> set[str]:
        """Return the fields of a row whose cells could not be read at all."""
        bad = {e.cell for e in self.raw.errors if e.sheet == row.sheet}
        return {key for key, cell in row.cells.items() if cell in bad}

    def check_departments(self) -> None:
        codes, names = {}, {}
        for row in self.raw.rows.get(DEPARTMENTS, []):
            code, name = row.values.get("code"), row.values.get("name")
            if code is not None:
                code = _plain(code).upper()
                if not _DEPARTMENT_CODE.fullmatch(code):
                    self.error(
                        row, "code", _("A department code is 1–16 letters, digits or _ (e.g. SLJ).")
                    )
                    code = None
            ok = code is not None and self.once(codes, code, row, "code", _("The code"))
            ok = name is not None and self.once(names, name, row, "name", _("The name")) and ok
            if ok:
                self.data.departments.append(
                    DepartmentEntry(code, name, str(row.values.get("clause", "")))
                )
        for entry in self.data.departments:
            self.departments[entry.code] = entry.name

    def unit_of(self, role: Role, text: str | None) -> tuple[str | None, str | None]:
        """Return (unit code, problem) for the unit a person's row names, given her role."""
        kind = role.scope_kind
        plain = _plain(text) if text is not None else ""
        if kind == "county":
            if plain in ("", self.county_code, _plain(self.county_name)):
                return None, None
            return None, _(
                "%(role)s works for the whole county: write %(county)s or leave the unit empty.",
                role=gettext(f"role:{role.value}"),
                county=self.county_name,
            )
        if not plain:
            return None, _("%(role)s needs a unit.", role=gettext(f"role:{role.value}"))
        found = {
            "village": self.village_of(plain),
            "township": self.township_of(plain),
            "department": self.department_of(plain),
        }
        if found[kind] is not None:
            return found[kind], None
        other = next((k for k, code in found.items() if code is not None), None)
        if found["village"] == "":
            return None, _("More than one village is called “%(name)s”: write its code.", name=text)
        if other is None:
            return None, _(
                "The unit “%(name)s” is not a village, township or department of the county.",
                name=text,
            )
        return None, _(
            "“%(name)s” is a %(kind)s, but %(role)s belongs to a %(needed)s.",
            name=text,
            kind=gettext(f"unit:{other}"),
            role=gettext(f"role:{role.value}"),
            needed=gettext(f"unit:{kind}"),
        )

    def village_of(self, plain: str) -> str | None:
        """Return a village's code from its code, its name (if unique) or township + name;
        '' when the name is not unique."""
        if plain in self.villages:
            return plain
        named = [
            code
            for code, (name, township) in self.villages.items()
            if plain in (name, self.townships.get(township, "") + name)
        ]
        return named[0] if len(named) == 1 else ("" if named else None)

    def department_of(self, plain: str) -> str | None:
        """Return a department's code from its code or its name."""
        if plain.upper() in self.departments:
            return plain.upper()
        return next((c for c, name in self.departments.items() if _plain(name) == plain), None)

    def check_people(self) -> None:
        usernames: dict = {}
        for row in self.raw.rows.get(PEOPLE, []):
            v = row.values
            username = v.get("username")
            if username is not None and not _USERNAME.fullmatch(username):
                self.error(
                    row, "username", _("Use 3–40 letters, digits, dots, dashes or underscores.")
                )
                username = None
            ok = username is not None and self.once(
                usernames, username.lower(), row, "username", _("The username")
            )
            role = role_named(v["role"]) if "role" in v else None
            if "role" in v and role is None:
                self.error(row, "role", _("There is no role “%(role)s”.", role=v["role"]))
            unit = None
            if role is not None:
                unit, problem = self.unit_of(role, v.get("unit"))
                if problem:
                    self.error(row, "unit", problem)
                    ok = False
            email = _plain(v.get("email", ""))
            if email and not _EMAIL.fullmatch(email):
                self.error(row, "email", _("Enter an e-mail address like name@example.com."))
                ok = False
            phone = _plain(v.get("phone", ""))
            if phone and not _PHONE.fullmatch(phone):
                self.error(row, "phone", _("A mobile number is 7–20 digits."))
                ok = False
            language = _plain(v.get("language", "")).upper()
            if language and language not in LANGUAGE_SPELLINGS:
                self.error(
                    row,
                    "language",
                    _("The language is Chinese or Uyghur; leave it empty for Chinese."),
                )
                ok = False
            if ok and role is not None and "name" in v:
                self.data.people.append(
                    PersonEntry(
                        username,
                        v["name"],
                        role,
                        unit,
                        phone,
                        email,
                        LANGUAGE_SPELLINGS.get(language, ""),
                    )
                )


def check_book(raw: RawBook, county_code: str, county_name: str, known: Known) -> CountyData:
    """Return the workbook's base data, with every problem of the file (reading and rules)."""
    checker = _Checker(raw, county_code, county_name, known)
    checker.check_townships()
    checker.check_villages()
    checker.check_departments()
    checker.check_people()
    data = checker.data
    data.errors = raw.errors + data.errors
    return data
