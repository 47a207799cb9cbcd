"""The comparison itself, apart from the database: each source as plain tuples in, one
`Difference` per disagreement out. Keyed by ID number; a prefecture's sources (100,000
households, 400,000 people each) go through in one pass over dicts."""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import NamedTuple

from workflow.forms.police_layout import (
    IN_OTHER_HOUSEHOLD,
    NAME_DOTS,
    POLICE_NORMAL,
    POLICE_STATUS_SHOWN,
    RELATION_HEAD,
    RELATION_SYNONYMS,
)
from workflow.forms.register_layout import MEMBER_STATUS_SHOWN

# The kinds of difference, in the order a household's lines are shown.
HEAD, ABSENT, GONE, NAME, RELATION, FAMILY_SIZE, EXIT_YEAR = (
    "head",
    "absent",
    "gone",
    "name",
    "relation",
    "family_size",
    "exit_year",
)
KINDS = (HEAD, ABSENT, GONE, NAME, RELATION, FAMILY_SIZE, EXIT_YEAR)
REGISTER, POLICE, PAPER = "register", "police", "paper"
SOURCES = (REGISTER, POLICE, PAPER)
NONE = "—"  # the value of a source that does not have it
MEMBER_NORMAL = "normal"

_DOTS = str.maketrans({c: "·" for c in NAME_DOTS})


class RegisterMember(NamedTuple):
    id_number: str
    name: str
    relation: str
    status: str  # the register's: normal / deceased / moved_out


class RegisterHousehold(NamedTuple):
    key: int
    head_id: str
    head_name: str
    family_size: int
    exit_year: int | None
    members: tuple[RegisterMember, ...]


class PolicePerson(NamedTuple):
    household: str  # 户号
    name: str
    relation: str
    status: str
    changed_on: date | None


class PaperRecord(NamedTuple):
    """What the village clerk recorded from the paper archive on 附件1."""

    head_name: str
    family_size: int | None
    exit_year: int | None


class Difference(NamedTuple):
    household: int
    kind: str
    person_id: str
    person_name: str
    source_a: str
    value_a: str
    source_b: str
    value_b: str

    @property
    def key(self) -> tuple[int, str, str, str]:
        """What a later run finds again: the household, the kind, whom, against which source."""
        return self.household, self.kind, self.person_id, self.source_b


def norm_name(name: str) -> str:
    """A name as compared: half-width, no spaces, every middle-dot variant one dot."""
    if not name.isascii():
        name = unicodedata.normalize("NFKC", name)
    return "".join(name.split()).translate(_DOTS)


@functools.lru_cache(maxsize=4096)
def norm_relation(relation: str) -> str:
    """A relation as compared: half-width, no spaces, the police's synonyms in the register's."""
    text = "".join(unicodedata.normalize("NFKC", relation).split())
    return RELATION_SYNONYMS.get(text, text)


def _is_head(relation: str) -> bool:
    return relation == RELATION_HEAD or norm_relation(relation) == RELATION_HEAD


def police_households(police: dict[str, PolicePerson]) -> dict[str, list[str]]:
    """The ID numbers of each police 户号."""
    found: dict[str, list[str]] = {}
    for id_number, person in police.items():
        found.setdefault(person.household, []).append(id_number)
    return found


def reconcile(
    households: Iterable[RegisterHousehold],
    police: dict[str, PolicePerson] | None,
    paper: dict[int, PaperRecord],
    in_household: dict[str, list[str]] | None = None,
) -> list[Difference]:
    """Every difference of every household; police None when no extract is loaded."""
    if police is not None and in_household is None:
        in_household = police_households(police)
    found: list[Difference] = []
    add = found.append
    for h in households:
        if police is not None:
            _against_police(h, police, in_household or {}, add)
        record = paper.get(h.key)
        if record is not None:
            _against_paper(h, record, add)
    return found


def _against_police(
    h: RegisterHousehold,
    police: dict[str, PolicePerson],
    in_household: dict[str, list[str]],
    add: Callable[[Difference], None],
) -> None:
    key = h.key
    head = police.get(h.head_id)
    if head is not None:
        number = head.household
    else:
        numbers = Counter(police[m.id_number].household for m in h.members if m.id_number in police)
        number = numbers.most_common(1)[0][0] if numbers else ""
    people = in_household.get(number, ())
    present = [i for i in people if police[i].status == POLICE_NORMAL]
    swapped: tuple[str, ...] = ()
    if head is None or head.status != POLICE_NORMAL or not _is_head(head.relation):
        police_head = next((i for i in present if _is_head(police[i].relation)), None)
        if police_head is not None and police_head != h.head_id:
            swapped = (police_head, h.head_id)  # their relations follow from the head: one line
            p = police[police_head]
            add(
                Difference(
                    key,
                    HEAD,
                    "",
                    "",
                    REGISTER,
                    f"{h.head_name} {h.head_id}",
                    POLICE,
                    f"{p.name} {police_head}",
                )
            )
    matched = 0
    for m in h.members:
        counted = m.status == MEMBER_NORMAL
        p = police.get(m.id_number)
        if p is None:
            if counted:
                add(Difference(key, ABSENT, m.id_number, m.name, REGISTER, m.name, POLICE, NONE))
            continue
        if p.household == number and p.status == POLICE_NORMAL:
            matched += 1
        if counted and p.status != POLICE_NORMAL:
            shown = POLICE_STATUS_SHOWN[p.status]
            when = f" {p.changed_on.isoformat()}" if p.changed_on else ""
            add(
                Difference(
                    key,
                    GONE,
                    m.id_number,
                    m.name,
                    REGISTER,
                    MEMBER_STATUS_SHOWN[m.status],
                    POLICE,
                    f"{shown}{when}",
                )
            )
        elif counted and p.household != number:
            other = IN_OTHER_HOUSEHOLD.format(name=p.name, number=p.household)
            add(Difference(key, ABSENT, m.id_number, m.name, REGISTER, m.name, POLICE, other))
        if m.name != p.name and norm_name(m.name) != norm_name(p.name):
            add(Difference(key, NAME, m.id_number, m.name, REGISTER, m.name, POLICE, p.name))
        if (
            m.relation != p.relation
            and m.id_number not in swapped
            and norm_relation(m.relation) != norm_relation(p.relation)
        ):
            add(
                Difference(
                    key, RELATION, m.id_number, m.name, REGISTER, m.relation, POLICE, p.relation
                )
            )
    if matched != len(present):  # someone the police list here is not in the register's list
        listed = {m.id_number for m in h.members}
        for id_number in present:
            if id_number not in listed:
                name = police[id_number].name
                add(Difference(key, ABSENT, id_number, name, REGISTER, NONE, POLICE, name))
    if number and len(present) != h.family_size:
        add(
            Difference(
                key, FAMILY_SIZE, "", "", REGISTER, str(h.family_size), POLICE, str(len(present))
            )
        )


def _against_paper(
    h: RegisterHousehold, record: PaperRecord, add: Callable[[Difference], None]
) -> None:
    key = h.key
    if (
        record.head_name
        and record.head_name != h.head_name
        and norm_name(record.head_name) != norm_name(h.head_name)
    ):
        add(
            Difference(
                key, HEAD, "", "", REGISTER, f"{h.head_name} {h.head_id}", PAPER, record.head_name
            )
        )
    if record.family_size is not None and record.family_size != h.family_size:
        add(
            Difference(
                key,
                FAMILY_SIZE,
                "",
                "",
                REGISTER,
                str(h.family_size),
                PAPER,
                str(record.family_size),
            )
        )
    if record.exit_year is not None and h.exit_year is not None and record.exit_year != h.exit_year:
        add(
            Difference(
                key, EXIT_YEAR, "", "", REGISTER, str(h.exit_year), PAPER, str(record.exit_year)
            )
        )
