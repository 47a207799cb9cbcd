"""The four sources as the comparison takes them: the register's households of a round (and
their members), the newest police extract, and the paper archive's facts from the round's
current 附件1 rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from workflow.models import (
    Household,
    HouseholdMember,
    PoliceExtract,
    PoliceMember,
    Round,
    SurveyAnswer,
    SurveySubmission,
    Township,
    Village,
)
from workflow.platform.db import db
from workflow.programme.lookback import looked_back_at
from workflow.reconcile.compare import (
    PaperRecord,
    PolicePerson,
    RegisterHousehold,
    RegisterMember,
)


@dataclass
class Sources:
    households: list[RegisterHousehold] = field(default_factory=list)
    units: dict[int, tuple[int, int]] = field(default_factory=dict)  # household → township, village
    police: dict[str, PolicePerson] | None = None
    paper: dict[int, PaperRecord] = field(default_factory=dict)


def _in_scope(round_: Round, township: Township | None) -> list[sa.ColumnElement[bool]]:
    where = [looked_back_at(round_, Village.id)]
    if township is not None:
        where.append(Village.township_id == township.id)
    return where


def gather(round_: Round, township: Township | None, extract: PoliceExtract | None) -> Sources:
    """Every source for the round's households (one township's, when named)."""
    where = _in_scope(round_, township)
    members: dict[int, list[RegisterMember]] = {}
    rows = db.session.execute(
        sa.select(
            HouseholdMember.household_id,
            HouseholdMember.id_number,
            HouseholdMember.name,
            HouseholdMember.relation,
            HouseholdMember.status,
        )
        .join(Household, HouseholdMember.household_id == Household.id)
        .join(Village, Household.village_id == Village.id)
        .where(HouseholdMember.in_register, *where)
        .order_by(HouseholdMember.household_id, HouseholdMember.id)
    )
    for household_id, *member in rows:
        members.setdefault(household_id, []).append(RegisterMember(*member))
    sources = Sources()
    rows = db.session.execute(
        sa.select(
            Household.id,
            Household.id_number,
            Household.head_name,
            Household.family_size,
            Household.exit_year,
            Village.township_id,
            Village.id,
        )
        .join(Village, Household.village_id == Village.id)
        .where(*where)
        .order_by(Household.id)
    )
    for key, head_id, head_name, size, exit_year, township_id, village_id in rows:
        sources.households.append(
            RegisterHousehold(key, head_id, head_name, size, exit_year, tuple(members.get(key, ())))
        )
        sources.units[key] = (township_id, village_id)
    if extract is not None:
        sources.police = {
            id_number: PolicePerson(*rest)
            for id_number, *rest in db.session.execute(
                sa.select(
                    PoliceMember.id_number,
                    PoliceMember.household_number,
                    PoliceMember.name,
                    PoliceMember.relation,
                    PoliceMember.status,
                    PoliceMember.changed_on,
                ).where(PoliceMember.extract_id == extract.id)
            )
        }
    sources.paper = paper_records(round_, set(sources.units))
    return sources


def paper_records(round_: Round, households: set[int]) -> dict[int, PaperRecord]:
    """The facts of the paper archive that the village clerks wrote on the round's current
    附件1: the head's name, the family size, the exit year."""
    found: dict[int, PaperRecord] = {}
    rows = db.session.execute(
        sa.select(SurveyAnswer.household_id, SurveyAnswer.values)
        .join(SurveySubmission, SurveyAnswer.submission_id == SurveySubmission.id)
        .where(
            SurveySubmission.round_id == round_.id,
            SurveySubmission.form_no == 1,
            SurveySubmission.is_current,
            SurveyAnswer.household_id.is_not(None),
        )
        .order_by(SurveyAnswer.id)
    )
    for household_id, text in rows:
        if household_id not in households:
            continue
        values = json.loads(text)
        found[household_id] = PaperRecord(
            str(values.get("name") or ""),
            _whole(values.get("family_size")),
            _whole(values.get("exit_year")),
        )
    return found


def _whole(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def survey_answer(round_: Round, household_id: int, code: str) -> bool | None:
    """What the village clerk answered for an indicator on the round's current 附件1 (None: the
    household's row is not filed)."""
    text = db.session.scalar(
        sa.select(SurveyAnswer.values)
        .join(SurveySubmission, SurveyAnswer.submission_id == SurveySubmission.id)
        .where(
            SurveySubmission.round_id == round_.id,
            SurveySubmission.form_no == 1,
            SurveySubmission.is_current,
            SurveyAnswer.household_id == household_id,
        )
        .order_by(SurveyAnswer.id.desc())
        .limit(1)
    )
    if text is None:
        return None
    value = json.loads(text).get(code)
    return value if isinstance(value, bool) else None
