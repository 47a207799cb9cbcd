"""The engine runs only what the domain registered, and says which call of which diagram is not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import at, make_round, open_household_case
from workflow import scheduler, services
from workflow.engine import instances
from workflow.engine.services import register_services, registered
from workflow.engine.spiff import EngineError
from workflow.models import CaseEscalation, HelpCase, ProcessInstance
from workflow.platform import clock
from workflow.platform.db import db


@pytest.fixture
def registry() -> Iterator[None]:
    """Tests below install other tables; the application's is back afterwards."""
    yield
    services.install()


def without(name: str) -> dict:
    return {key: fn for key, fn in services.SERVICES.items() if key != name}


def test_the_app_factory_installs_the_services_table(app):
    assert registered() == services.SERVICES


def test_starting_a_diagram_that_calls_an_unregistered_name_is_refused(county, registry):
    clock.set_now(at("2018-08-01T10:00"))
    make_round()
    db.session.commit()
    register_services(without("close_case"))
    with pytest.raises(EngineError) as refused:
        instances.start_instance(
            "gap_case", {"case_id": 1, "due_at": "2018-12-31T23:59:59+08:00"}, instances.Scope()
        )
    message = str(refused.value)
    assert "diagram gap_case" in message and "close_case()" in message
    assert "个案销号" in message and "workflow/services.py" in message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance)) == 0


def test_nothing_registered_says_the_application_must_install_the_table(county, registry):
    clock.set_now(at("2018-08-01T10:00"))
    register_services({})
    with pytest.raises(EngineError, match=r"no service functions are registered"):
        instances.start_instance("annual_round", {"round_id": 1}, instances.Scope())


def test_tick_on_a_diagram_calling_an_unregistered_name_fails_that_instance_by_name(
    county, registry
):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    case_id, instance_id = case.id, case.instance_id
    db.session.commit()
    register_services(without("escalate_case"))

    report = scheduler.tick(at("2018-10-02T09:00"))

    assert instance_id in report.failed
    assert "calls escalate_case()" in report.failed[instance_id]
    db.session.expire_all()
    assert (
        db.session.scalars(sa.select(CaseEscalation).where(CaseEscalation.case_id == case_id)).all()
        == []
    )
    services.install()  # registered again, the next tick escalates the case
    report = scheduler.tick(at("2018-10-02T09:05"))
    assert instance_id in report.advanced and not report.failed
    assert db.session.get(HelpCase, case_id).escalation_level >= 1
