"""The year-end acceptance of the year's planned exits (预脱贫, §五.5) on a page: the township
proposes 达标 or 不达标 for each of its households, the county office decides or confirms the
township's proposals. The same domain operations as `huitou planned-exit …`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from web.handling import acting_user, domain_view
from web.identifiers import id_arg, id_list
from workflow.models import Round
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import planned_exits, rounds

bp = Blueprint("planned_exits", __name__, url_prefix="/rounds")
VERDICT = {"yes": True, "no": False}


def _verdicts(form: MultiDict, prefix: str) -> list[planned_exits.Verdict]:
    """What the form says of each household: `<prefix>-<id>` is yes or no, `reason-<id>` why."""
    said = []
    for key, value in form.items():
        name, _dash, raw_id = key.partition("-")
        household_id = id_arg(raw_id)
        if name == prefix and value in VERDICT and household_id is not None:
            reason = form.get(f"reason-{household_id}", "")
            said.append(planned_exits.Verdict(household_id, VERDICT[value], reason))
    return said


def _page(round_: Round, errors: dict[str, str] | None = None, status: int = 200):
    user = acting_user()
    rows = planned_exits.planned_households(round_, user)
    reviews = [review for _h, review in rows]
    tally = {
        "total": len(rows),
        "proposed": sum(r is not None for r in reviews),
        "decided": sum(r is not None and r.decided_meets is not None for r in reviews),
        "met": sum(r is not None and r.decided_meets is True for r in reviews),
    }
    return render_template(
        "planned_exits/index.html",
        round=round_,
        rows=rows,
        tally=tally,
        can_propose=user.role in planned_exits.PROPOSERS,
        can_decide=user.role in planned_exits.DECIDERS,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/<round:year>/planned-exits")
@login_required
@domain_view
def index(year: str):
    """The round's planned exits in the user's scope, with the township's proposal and the
    county office's decision; the form for whichever of the two is the user's."""
    return _page(rounds.get_round(year))


def _act(year: str, act) -> object:
    """Run one of the page's operations; on refused input, the page again with every problem
    (nothing kept), else back to the page."""
    round_ = rounds.get_round(year)
    try:
        done = act(round_)
    except ValidationFailed as exc:
        db.session.rollback()  # the page below shows the reviews as they were
        return _page(round_, exc.by_field(), 422)
    except Refused as exc:
        db.session.rollback()
        return _page(round_, {"_": exc.message}, 422)
    flash(gettext("%(num)s households recorded.", num=done), "success")
    return redirect(url_for("planned_exits.index", year=year), 303)


@bp.post("/<round:year>/planned-exits/propose")
@login_required
@domain_view
def propose(year: str):
    """The township's proposals: 达标 or 不达标 (with what is lacking) per household."""
    verdicts = _verdicts(request.form, "meets")
    return _act(year, lambda round_: planned_exits.propose_all(round_, verdicts, acting_user()))


@bp.post("/<round:year>/planned-exits/decide")
@login_required
@domain_view
def decide(year: str):
    """The county office's decisions per household, or its confirmation of the township's
    proposals for the households ticked."""
    user = acting_user()
    if request.form.get("action") == "confirm":
        ticked = id_list(request.form.getlist("confirm"))
        return _act(year, lambda round_: planned_exits.confirm_proposals(round_, ticked, user))
    verdicts = _verdicts(request.form, "decide")
    return _act(year, lambda round_: planned_exits.decide_all(round_, verdicts, user))
