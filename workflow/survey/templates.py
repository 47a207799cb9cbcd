"""Pre-filled survey forms: what the county already knows, so nobody types an ID number twice."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.county.households import subsistence_by_household
from workflow.county.setup import county_name
from workflow.county.sheets import NO, YES
from workflow.forms import HouseholdRow, SurveyContext, VillageRow, write_survey_form
from workflow.forms.layout import survey_layout
from workflow.forms.uyghur import add_uyghur_aids
from workflow.models import CatalogueRecord, Round, Township, Village
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import NotFound, ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.applicability import members_of, not_applicable, reference_date
from workflow.programme.catalogue import standard_of
from workflow.programme.lookback import households_in_scope, village_exited_in
from workflow.programme.standards import Standard


def find_village(name_or_code: str) -> Village:
    """A village by the name the county writes (布古纳村) or by its division code."""
    key = name_or_code.strip()
    village = db.session.scalar(
        sa.select(Village).where(sa.or_(Village.code == key, Village.name == key))
    )
    if village is None:
        raise NotFound(_("There is no village named or coded “%(key)s”.", key=key))
    return village


def find_township(name_or_code: str) -> Township:
    """A township by name (奥依亚依拉克镇) or division code."""
    key = name_or_code.strip()
    township = db.session.scalar(
        sa.select(Township).where(sa.or_(Township.code == key, Township.name == key))
    )
    if township is None:
        raise NotFound(_("There is no township named or coded “%(key)s”.", key=key))
    return township


def survey_template(
    form_no: int,
    round_: Round,
    *,
    village: Village | None = None,
    township: Township | None = None,
    uyghur: bool = False,
) -> bytes:
    """附件1 for a village (its households), 附件2 for a village or a township's exited villages,
    附件3 for a township — laid out officially and pre-filled; for a Uyghur-language clerk with a
    Uyghur line under each header and a Uyghur instruction sheet (forms/uyghur.py)."""
    standard = standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))
    today = clock.today()
    if form_no == 1:
        if village is None:
            raise ValidationFailed({"village": _("Form 1 needs a village.")})
        households = households_in_scope(round_, village)
        members = members_of((h.id for h in households), reference_date(round_))
        covered = _register_answers(standard, [h.id for h in households])
        rows = [
            HouseholdRow(
                h.head_name,
                h.id_number,
                h.family_size,
                h.exit_year,
                h.helper_name,
                h.phone,
                not_applicable(standard, members.get(h.id, [])),
                covered.get(h.id, ()),
            )
            for h in households
        ]
        context = SurveyContext(
            township=village.township.name,
            village=village.name,
            date=today,
            households=rows,
            county=county_name(),
        )
    elif form_no == 2:
        if village is not None:
            villages = [village] if village_exited_in(round_, village) else []
            township = village.township
        elif township is not None:
            villages = [v for v in township.villages if village_exited_in(round_, v)]
        else:
            raise ValidationFailed({"township": _("Form 2 needs a village or a township.")})
        context = SurveyContext(
            township=township.name,
            village=village.name if village else "",
            date=today,
            villages=[VillageRow(township.name, v.name, v.exit_year) for v in villages],
            county=county_name(),
        )
    elif form_no == 3:
        township = township or (village.township if village else None)
        if township is None:
            raise ValidationFailed({"township": _("Form 3 needs a township.")})
        context = SurveyContext(township=township.name, date=today, county=county_name())
    else:
        raise ValidationFailed({"form": _("The survey forms are forms 1, 2 and 3 only.")})
    data = write_survey_form(form_no, standard, context)
    return add_uyghur_aids(data, survey_layout(form_no, standard)) if uyghur else data


def _register_answers(
    standard: Standard, household_ids: list[int]
) -> dict[int, tuple[tuple[str, str], ...]]:
    """What the register already answers on 附件1: whether each household is on 低保 (the
    coverage column of 应纳尽纳、应退尽退; whether it meets the conditions is the village's to
    judge). The clerk checks it like any pre-filled cell."""
    codes = [i.code for i in standard.for_kind("household") if i.judge == "eligible_covered"]
    if not codes:
        return {}
    on = subsistence_by_household(household_ids)
    return {
        household: tuple((code, YES if covered else NO) for code in codes)
        for household, covered in on.items()
    }
