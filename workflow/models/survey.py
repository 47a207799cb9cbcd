"""The survey (回头看): catalogues in force, uploaded forms, their answers, the gaps, signatures."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.cases import NamesItsSubject, SubjectKind
from workflow.models.org import Department, Household, Township, Village
from workflow.models.people import User
from workflow.platform.db import UTCDateTime, db, enum_column


class CatalogueRecord(db.Model):
    """A year's standards catalogue as loaded by the administrator (each change a new version)."""

    __tablename__ = "standard_catalogue"
    __table_args__ = (sa.UniqueConstraint("year", "version", name="uq_catalogue_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    version: Mapped[int]
    document: Mapped[str] = mapped_column(sa.Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    loaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class SurveySubmission(db.Model):
    """One uploaded form (附件1/2/3) of one village or township; a re-upload supersedes it."""

    __tablename__ = "survey_submission"
    __table_args__ = (
        sa.Index(
            "ix_submission_current",
            "round_id",
            "form_no",
            "township_id",
            "village_id",
            "is_current",
        ),
        sa.CheckConstraint("form_no BETWEEN 1 AND 3", name="survey_form_no"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    form_no: Mapped[int]
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"))
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    file_name: Mapped[str] = mapped_column(sa.String(200), default="")
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    row_count: Mapped[int]
    is_current: Mapped[bool] = mapped_column(default=True)
    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()


class SurveyAnswer(db.Model):
    """One row of an uploaded form: whose row it is and the values read from it (JSON)."""

    __tablename__ = "survey_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_submission.id"), index=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, "answer_subject"))
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("household.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"))
    row_number: Mapped[int]
    values: Mapped[str] = mapped_column(sa.Text)


class GapStatus(enum.StrEnum):
    """Where a gap stands in the county's triage."""

    PENDING = "pending"  # found in a form; the township has not submitted yet
    OPEN = "open"  # submitted (or released early): waiting for county triage
    CONFIRMED = "confirmed"  # a case was opened for it
    DISMISSED = "dismissed"  # the county decided it is not a gap (with a reason)
    SUPERSEDED = "superseded"  # the form it came from was replaced by a corrected one


class Gap(NamesItsSubject, db.Model):
    """One unmet indicator of one household, village or township (a line of the 补课清单)."""

    __tablename__ = "gap"
    __table_args__ = (sa.Index("ix_gap_triage", "round_id", "status", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey_submission.id"))
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, "gap_subject"))
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("household.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"), index=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(sa.String(40))
    indicator_label: Mapped[str] = mapped_column(sa.String(80))
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    routed_to: Mapped[str] = mapped_column(sa.String(16))  # the DMN's answer, kept as found
    # "survey", or "acceptance" when the year-end check found what the survey missed (核查不准确)
    found_by: Mapped[str] = mapped_column(sa.String(16), default="survey")
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    # The county office chose the unit by hand (rerouted): the routing table no longer decides.
    rerouted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Why the household's income falls short, asked at triage (industry / employment / other).
    cause: Mapped[str] = mapped_column(sa.String(16), default="", server_default="")
    status: Mapped[GapStatus] = mapped_column(
        enum_column(GapStatus, "gap_status"), default=GapStatus.PENDING
    )
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    due: Mapped[date | None]
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("help_case.id"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    household: Mapped[Household | None] = relationship()
    village: Mapped[Village | None] = relationship()
    township: Mapped[Township] = relationship()
    department: Mapped[Department | None] = relationship()


class Signature(db.Model):
    """Who signed a submitted form or decision, when, and the hash of what was signed (§七.1)."""

    __tablename__ = "signature"
    __table_args__ = (sa.Index("ix_signature_object", "object_type", "object_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(40))
    signer_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    signer_name: Mapped[str] = mapped_column(sa.String(60))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    statement: Mapped[str] = mapped_column(sa.String(200), default="")
    # the SHA-256 of the exact file signed, where a generated file was signed (kept in the store)
    file_sha256: Mapped[str | None] = mapped_column(sa.String(64))


class SurveyEscalation(db.Model):
    """A township's survey (or results tables) that was late: level 1 told its leader, level 2
    the county office."""

    __tablename__ = "survey_escalation"
    __table_args__ = (
        sa.UniqueConstraint(
            "round_id", "township_id", "stage", "level", name="uq_survey_escalation"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(sa.String(16), default="survey")  # "survey" or "results"
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"))
    level: Mapped[int]
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TownshipSurveyStatus(enum.StrEnum):
    """Whether a township's survey is still being filled or has been signed and submitted."""

    FILLING = "filling"
    SUBMITTED = "submitted"


class TownshipSurvey(db.Model):
    """A township's survey in a round, tracking its process instance and submission."""

    __tablename__ = "township_survey"
    __table_args__ = (sa.UniqueConstraint("round_id", "township_id", name="uq_township_survey"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"))
    instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instance.id"))
    status: Mapped[TownshipSurveyStatus] = mapped_column(
        enum_column(TownshipSurveyStatus, "township_survey_status"),
        default=TownshipSurveyStatus.FILLING,
    )
    released_early: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its gaps became final for triage: 县农经局 and 县统计局 certified (核定), or their
    # deadline passed.
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instance.id"))
    results_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    township: Mapped[Township] = relationship()


class ProblemStatus(enum.StrEnum):
    """Where a free-text problem (存在问题) stands in the county's triage."""

    OPEN = "open"  # waits for the county office (once its township's survey is in)
    GAP = "gap"  # turned into a gap on an indicator the county office chose
    CLOSED = "closed"  # closed with a reason


class ProblemNote(NamesItsSubject, db.Model):
    """A non-empty 存在问题 cell of a survey form: work for the county office's triage."""

    __tablename__ = "problem_note"
    __table_args__ = (sa.Index("ix_problem_note_triage", "round_id", "status", "township_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_submission.id"), index=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, "note_subject"))
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("household.id"))
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"))
    row_number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ProblemStatus] = mapped_column(
        enum_column(ProblemStatus, "problem_status"), default=ProblemStatus.OPEN
    )
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    gap_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gap.id"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    household: Mapped[Household | None] = relationship()
    village: Mapped[Village | None] = relationship()
    township: Mapped[Township] = relationship()
    submission: Mapped[SurveySubmission] = relationship()


class RoutingChange(db.Model):
    """One change the county office made to the routing table (归口): the unit that leads an
    indicator's gaps (for a cause, where the table asks one) and its co-responsible units.
    The newest change of a key is in force; bpmn/routing.dmn answers for keys never changed."""

    __tablename__ = "routing_change"
    __table_args__ = (sa.UniqueConstraint("version", name="uq_routing_change_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    subject_kind: Mapped[str] = mapped_column(sa.String(16))
    indicator_code: Mapped[str] = mapped_column(sa.String(40))
    cause: Mapped[str] = mapped_column(sa.String(16), default="")
    lead_code: Mapped[str] = mapped_column(sa.String(16))
    co_codes: Mapped[str] = mapped_column(sa.String(200), default="")  # comma-separated
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[User] = relationship()
