"""`huitou doctor` (the self-check) and `huitou process list|migrate` (versions, migration)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import click

from notifications import outbox
from web.cli_support import commit, find_user, with_app
from web.formatting import beijing
from workflow.operations import health, incidents, migration, versions
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.i18n import gettext


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return gettext("%(hours)s h %(minutes)s min", hours=minutes // 60, minutes=minutes % 60)


def _change(kind: str) -> str:
    words = {
        "added": gettext("change:added"),
        "removed": gettext("change:removed"),
        "changed": gettext("change:changed"),
    }
    return words[kind]


def _line(ok: bool, text: str) -> None:
    click.echo(f"[{'OK' if ok else '!!'}] {text}")


@click.command()
@click.option("--now", "now_text", default=None, help="Check as if it were this moment.")
@with_app
def doctor(now_text: str | None) -> None:
    """Check the tick, late timers, incidents and the outbox; exit 1 if something is wrong."""
    now: datetime = clock.parse_moment(now_text) if now_text else clock.now()
    problems = 0
    run = health.last_tick()
    stale = health.tick_is_stale(now)
    if run is None:
        text = gettext("The tick has never run.")
    else:
        text = gettext(
            "Last tick %(when)s, took %(ms)s ms: %(advanced)s advanced, %(failed)s failed.",
            when=beijing(run.moment),
            ms=run.duration_ms,
            advanced=run.advanced,
            failed=run.failed,
        )
    _line(
        not stale,
        text + (" " + gettext("The tick has not run for over 10 minutes") if stale else ""),
    )
    problems += stale
    late = health.late_timers(now)
    _line(not late.count, gettext("Timers due and not fired: %(num)s", num=late.count))
    for row in late.rows:
        click.echo(
            "     "
            + gettext(
                "process %(id)s (%(process)s, %(subject)s): due %(due)s, late by %(late)s",
                id=row.instance_id,
                process=row.process_id,
                subject=row.subject or "-",
                due=beijing(row.due),
                late=_duration(row.late_by),
            )
        )
    problems += bool(late.count)
    failing = incidents.open_count()
    _line(not failing, gettext("Open incidents: %(num)s", num=failing))
    problems += bool(failing)
    waiting = outbox.waiting()
    if waiting.count:
        text = gettext(
            "%(num)s messages waiting; the oldest since %(when)s",
            num=waiting.count,
            when=beijing(waiting.oldest),
        )
    else:
        text = gettext("Nothing waiting to be sent.")
    _line(True, text)
    gave_up = outbox.gave_up_count()
    _line(not gave_up, gettext("Mail that gave up: %(num)s", num=gave_up))
    problems += bool(gave_up)
    if problems:
        sys.exit(1)


@click.group("process")
def process() -> None:
    """The processes' versions, and migrating running instances to the newest."""


@process.command("list")
@click.option("--as", "username", default="admin", show_default=True)
@with_app
def process_list(username: str) -> None:
    """Each process's versions (content hash, first used) and the instances on each."""
    for listed in versions.process_versions(find_user(username)):
        click.echo(f"{listed.process_id}  {versions.process_name(listed.process_id)}")
        if not listed.newest_stored and listed.newest_hash:
            click.echo(
                "  "
                + gettext(
                    "The newest version (%(hash)s) has not been used by any instance yet.",
                    hash=listed.newest_hash[:12],
                )
            )
        for v in listed.versions:
            click.echo(
                "  "
                + gettext(
                    "%(hash)s first used %(when)s: %(running)s running, %(finished)s finished",
                    hash=v.row.content_hash[:12],
                    when=beijing(v.row.created_at),
                    running=v.running,
                    finished=v.finished,
                )
                + (f"  ({gettext('Newest')})" if v.newest else "")
            )


def _ids(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(part) for part in text.replace(" ", ",").split(",") if part]
    except ValueError:
        raise click.BadParameter(gettext("Instance ids are numbers: %(text)s", text=text)) from None


@process.command("migrate")
@click.argument("process_id")
@click.option("--to", "target", type=click.Choice(["newest"]), default="newest", show_default=True)
@click.option("--instances", default=None, help="Only these instance ids (1,2,3).")
@click.option("--dry-run", is_flag=True, help="Say what would move; change nothing.")
@click.option(
    "--batch",
    type=click.IntRange(1, 10000),
    default=200,
    show_default=True,
    help="Instances checked and moved per transaction.",
)
@click.option("--as", "username", default="admin", show_default=True)
@with_app
def process_migrate(
    process_id: str, target: str, instances: str | None, dry_run: bool, batch: int, username: str
) -> None:
    """Move running instances of PROCESS_ID that can move to the newest version, a batch at a
    time (each batch committed before the next is read)."""
    actor = find_user(username)
    ids = _ids(instances)
    after, movable, moved, checked, missing = 0, 0, 0, 0, []
    while True:
        if dry_run:
            plan = migration.plan_migration(process_id, actor, ids, after=after, limit=batch)
        else:
            plan = migration.migrate_to_newest(process_id, actor, ids, after=after, limit=batch)
            commit()
        for item in plan.plans:
            click.echo(f"#{item.instance.id} {item.instance.subject}: {_verdict(item)}")
        movable, moved, checked = (
            movable + plan.movable,
            moved + plan.moved,
            checked + len(plan.plans),
        )
        missing = plan.missing
        if plan.next_after is None:
            break
        after = plan.next_after
        for item in plan.plans:  # this batch's instances and their states are done with
            db.session.expunge(item.instance)
    for lost in missing:
        click.echo(gettext("Not running behind the newest version: %(ids)s", ids=lost))
    click.echo(
        gettext(
            "%(moved)s of %(total)s instances moved to the newest version.",
            moved=moved,
            total=checked,
        )
        if not dry_run
        else gettext("%(movable)s of %(total)s can move", movable=movable, total=checked)
    )


def _verdict(item: migration.InstancePlan) -> str:
    if item.error:
        return gettext("cannot be read: %(error)s", error=item.error)
    if item.can_move:
        verb = gettext("moved") if item.moved else gettext("can move")
        return f"{verb}; " + gettext("moves: %(steps)s", steps=gettext(", ").join(item.check.moves))
    return (
        gettext("stays")
        + "; "
        + "; ".join(
            gettext("done and %(kind)s: %(name)s", kind=_change(c.kind), name=c.name)
            for c in item.check.blocking
        )
    )
