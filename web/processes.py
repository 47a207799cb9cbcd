"""Process versions and migrating running instances to the newest (administrator and county
office): the list of versions, one version's diagram and differences, and the migration page
(a dry run, then the move of those that can)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from web.identifiers import id_arg, id_list
from workflow.operations import migration, versions
from workflow.platform.i18n import gettext

bp = Blueprint("processes", __name__, url_prefix="/operations")


@bp.get("/processes")
@login_required
@domain_view
def index() -> str:
    """Each process's versions and the instances running on each."""
    return render_template(
        "operations/processes.html", processes=versions.process_versions(acting_user())
    )


@bp.get("/versions/<int:spec_id>")
@login_required
@domain_view
def version(spec_id: int) -> str:
    """One version: its diagram, and what the newest changes against it."""
    row = versions.version(spec_id, acting_user())
    return render_template(
        "operations/version.html", row=row, changes=versions.changes_to_newest(row)
    )


@bp.get("/versions/<int:spec_id>/diagram")
@login_required
@domain_view
def version_diagram(spec_id: int) -> Response:
    """The version's diagram, its elements that the newest changes or removes marked."""
    row = versions.version(spec_id, acting_user())
    changes = versions.changes_to_newest(row) or []
    marked = [c.element for c in changes if c.kind in ("changed", "removed")]
    return jsonify(xml=versions.version_xml(row), current=marked, done=[])


def _instance_ids() -> list[int] | None:
    raw = request.values.get("instances", "")
    ids = id_list(raw.replace(" ", ",").split(",")) if raw.strip() else []
    return ids or None


def _migration_page(process_id: str, **_view_args: object) -> str:
    return url_for("processes.migrate_page", process_id=process_id)


@bp.get("/processes/<process_id>/migrate")
@login_required
@domain_view
def migrate_page(process_id: str) -> str:
    """A dry run: for each instance behind the newest version, whether it can move and what."""
    ids = _instance_ids()
    after = id_arg(request.args.get("after")) or 0
    plan = migration.plan_migration(process_id, acting_user(), ids, after=after)
    return render_template(
        "operations/migrate.html",
        plan=plan,
        instances=",".join(map(str, ids or [])),
        after=after,
    )


@bp.post("/processes/<process_id>/migrate")
@login_required
@domain_view(back=_migration_page)
def migrate(process_id: str):
    """Move those that can move to the newest version; the others stay."""
    ids = _instance_ids()
    plan = migration.migrate_to_newest(process_id, acting_user(), ids)
    if not plan.moved:  # nothing could move (or someone moved them first): the plan, as it is
        page = render_template(
            "operations/migrate.html", plan=plan, instances=",".join(map(str, ids or [])), after=0
        )
        return page, 422
    flash(
        gettext(
            "%(moved)s of %(total)s instances moved to the newest version.",
            moved=plan.moved,
            total=len(plan.plans),
        ),
        "success" if plan.moved else "warning",
    )
    return redirect(url_for("processes.migrate_page", process_id=process_id), 303)
