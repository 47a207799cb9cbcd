"""Reading and resolving the difference lines: the county sees every township's, a township
its own; the township's clerk or leader says which source is right and what was corrected."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.county.setup import county_name
from workflow.forms.reconcile_book import DifferenceRow, write_difference_list
from workflow.models import Household, ReconcileDifference, Role, Round, Township, User, Village
from workflow.people.access import COUNTY_WIDE_READERS, in_scope, require_role, scope_condition
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound, Refused, ValidationFailed
from workflow.platform.i18n import _
from workflow.platform.text import text_problem
from workflow.reconcile.compare import KINDS
from workflow.reconcile.labels import kind_label, source_label

READERS = (*COUNTY_WIDE_READERS, Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER)
RESOLVERS = (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER)
NEITHER = "neither"  # both sources were wrong


def _seen_by(user: User) -> sa.ColumnElement[bool]:
    return scope_condition(
        user, ReconcileDifference.township_id, ReconcileDifference.village_id, sa.null()
    )


def difference_list(
    round_: Round,
    user: User,
    township: Township | None = None,
    *,
    village: Village | None = None,
    open_only: bool = True,
) -> list[ReconcileDifference]:
    """The round's difference lines the user may see (one township's, when named), by
    township, village, household, kind."""
    require_role(user, *READERS)
    query = (
        sa.select(ReconcileDifference)
        .join(Township, ReconcileDifference.township_id == Township.id)
        .join(Village, ReconcileDifference.village_id == Village.id)
        .where(ReconcileDifference.round_id == round_.id, _seen_by(user))
    )
    if open_only:
        query = query.where(ReconcileDifference.closed_at.is_(None))
    if township is not None:
        query = query.where(ReconcileDifference.township_id == township.id)
    if village is not None:
        query = query.where(ReconcileDifference.village_id == village.id)
    rows = db.session.scalars(
        query.order_by(
            Township.code, Village.code, ReconcileDifference.household_id, ReconcileDifference.id
        )
    )
    order = {kind: n for n, kind in enumerate(KINDS)}
    return sorted(
        rows,
        key=lambda r: (r.township.code, r.village.code, r.household_id, order[r.kind], r.id),
    )


def household_lines(
    round_: Round, household_id: int, user: User
) -> tuple[Household, list[ReconcileDifference]]:
    """A household and every line the runs found for it, open and closed, oldest first."""
    require_role(user, *READERS)
    household = db.session.get(Household, household_id)
    if household is None:
        raise NotFound(_("There is no such household."))
    if not in_scope(user, household.village.township_id, household.village_id, None):
        raise AccessDenied(_("This household is not in your area."))
    lines = db.session.scalars(
        sa.select(ReconcileDifference)
        .where(
            ReconcileDifference.round_id == round_.id,
            ReconcileDifference.household_id == household_id,
        )
        .order_by(ReconcileDifference.id)
    )
    return household, list(lines)


def resolve_difference(
    difference_id: int, user: User, right_source: str, correction: str
) -> ReconcileDifference:
    """Record which source is right and what was corrected where. Flushes, never commits."""
    require_role(user, *RESOLVERS)
    row = db.session.get(ReconcileDifference, difference_id)
    if row is None:
        raise NotFound(_("There is no such difference."))
    if not in_scope(user, row.township_id, row.village_id, None):
        raise AccessDenied(_("This household is not in your area."))
    if row.closed_at is not None:
        raise Refused(_("The sources agree again: this difference is closed."))
    if row.resolved_at is not None:
        raise Refused(_("This difference has already been resolved."))
    problems = {}
    if right_source not in (row.source_a, row.source_b, NEITHER):
        problems["right_source"] = _("Say which source is right.")
    correction = (correction or "").strip()
    problem = text_problem(correction) if correction else _("Say what was corrected where.")
    if problem:
        problems["correction"] = problem
    if problems:
        raise ValidationFailed(problems)
    row.right_source, row.correction = right_source, correction
    row.resolved_by_id, row.resolved_at = user.id, clock.now()
    audit.record(
        user,
        "reconcile.resolve",
        "reconcile_difference",
        row.id,
        after={"right_source": right_source, "correction": correction},
    )
    db.session.flush()
    return row


def resolution_text(row: ReconcileDifference) -> str:
    """What the township said, in one line ("" while unresolved)."""
    if row.resolved_at is None:
        return ""
    return _(
        "%(source)s is right; %(correction)s",
        source=source_label(row.right_source),
        correction=row.correction,
    )


def status_text(row: ReconcileDifference) -> str:
    if row.closed_at is not None:
        return _("Agrees now")
    return _("Resolved, awaiting re-run") if row.resolved_at else _("Open")


def difference_workbook(
    round_: Round, user: User, township: Township | None = None, village: Village | None = None
) -> bytes:
    """The difference list as the county's form (the open lines the user may see)."""
    rows = [
        DifferenceRow(
            r.township.name,
            r.village.name,
            r.household.head_name,
            r.household.id_number,
            kind_label(r.kind),
            r.person_name,
            r.person_id,
            source_label(r.source_a),
            r.value_a,
            source_label(r.source_b),
            r.value_b,
            resolution_text(r),
            status_text(r),
        )
        for r in difference_list(round_, user, township, village=village)
    ]
    return write_difference_list(
        rows,
        year=round_.year,
        township=township.name if township else "",
        when=clock.today(),
        county=county_name(),
    )
