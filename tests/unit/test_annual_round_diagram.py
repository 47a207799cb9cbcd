"""Unit tests of bpmn/annual_round.bpmn (no database).

Uses the helpers of test_diagrams.py: the workflow is serialized and deserialized between every
step; timers use deadlines in the past/future relative to the real clock (nothing is patched).
"""

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.util.task import TaskState

from tests.unit.test_diagrams import (
    COUNTY,
    FUTURE,
    PAST,
    Recorder,
    complete,
    iso,
    ready_ids,
    ready_user_tasks,
    reload,
    start,
    tick,
)

ROUND_ID = 2018


class RoundRecorder(Recorder):
    """Recording fakes for the functions annual_round's scripts call."""

    def engine(self):
        def start_township_surveys(round_id):
            self.calls.append(("start_township_surveys", round_id))

        def carry_over_round(round_id):
            self.calls.append(("carry_over_round", round_id))

        return PythonScriptEngine(
            environment=TaskDataEnvironment(
                {
                    "start_township_surveys": start_township_surveys,
                    "carry_over_round": carry_over_round,
                }
            )
        )


def start_round(done_by):
    rec = RoundRecorder()
    done_by_at = iso(done_by)
    wf = start("annual_round", {"round_id": ROUND_ID, "done_by_at": done_by_at}, rec)
    return wf, rec, done_by_at


def tasks(wf, bpmn_id):
    return [t for t in wf.get_tasks() if t.task_spec.bpmn_id == bpmn_id]


def test_start_launches_surveys_and_waits_for_triage():
    wf, rec, _ = start_round(FUTURE)
    assert rec.calls == [("start_township_surveys", ROUND_ID)]
    assert ready_ids(wf) == ["county_triage"]
    assert ready_user_tasks(wf)[0].task_spec.lane == COUNTY
    assert not wf.is_completed()


def test_future_deadline_waits_on_the_year_end_timer():
    wf, rec, done_by_at = start_round(FUTURE)
    wf = complete(wf, rec, "county_triage", COUNTY)

    assert ready_ids(wf) == []
    assert [t.state for t in tasks(wf, "year_end")] == [TaskState.WAITING]
    assert not wf.is_completed()
    # waiting_events() names the event by its name; a timeDate's value is the evaluated string.
    [event] = wf.waiting_events()
    assert (event.name, event.event_type, event.value) == (
        "年底完成时限",
        "TimeDateEventDefinition",
        done_by_at,
    )

    wf = tick(wf, rec)  # the deadline is ahead: nothing moves
    assert ready_ids(wf) == []
    assert [t.state for t in tasks(wf, "year_end")] == [TaskState.WAITING]
    assert rec.calls == [("start_township_surveys", ROUND_ID)]


def test_changing_done_by_at_does_not_move_a_waiting_timer():
    """Pins SpiffWorkflow behaviour: timeDate is evaluated once, when the timer starts waiting
    (kept in internal_data['event_value']); moving the deadline means rescheduling that value."""
    wf, rec, _ = start_round(FUTURE)
    wf = complete(wf, rec, "county_triage", COUNTY)
    [timer] = tasks(wf, "year_end")
    timer.data["done_by_at"] = iso(PAST)
    wf = tick(reload(wf, rec), rec)
    assert ready_ids(wf) == []

    # Rescheduling the waiting event itself is what moves it; the scheduler's tick then fires it.
    [timer] = tasks(wf, "year_end")
    timer.internal_data["event_value"] = iso(PAST)
    wf = reload(wf, rec)
    wf.refresh_timers()
    wf.do_engine_steps()
    wf = reload(wf, rec)
    assert ready_ids(wf) == ["annual_acceptance"]


def test_triage_still_open_at_year_end_closes_and_acceptance_opens():
    """At the done-by moment an unfinished triage is interrupted (later finds go to next year)."""
    wf, rec, _ = start_round(PAST)
    wf.refresh_timers()
    wf.do_engine_steps()
    wf = reload(wf, rec)
    assert ready_ids(wf) == ["annual_acceptance"]
    assert ready_user_tasks(wf)[0].task_spec.lane == COUNTY
    assert [t.state for t in tasks(wf, "county_triage")] == [TaskState.CANCELLED]
    assert rec.named("carry_over_round") == []

    wf = complete(wf, rec, "annual_acceptance", COUNTY)
    assert rec.calls == [
        ("start_township_surveys", ROUND_ID),
        ("carry_over_round", ROUND_ID),
    ]
    assert wf.is_completed()
    assert [t.state for t in tasks(wf, "round_closed")] == [TaskState.COMPLETED]
