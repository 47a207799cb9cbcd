"""Gaps found by the survey and the help-back cases that close them."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.org import Department, Household, Township, Village
from workflow.platform.db import UTCDateTime, db, enum_column
from workflow.platform.i18n import _, current_language


class SubjectKind(enum.StrEnum):
    """What a gap is about: a household, an exited village or a township."""

    HOUSEHOLD = "household"
    VILLAGE = "village"
    TOWNSHIP = "township"


class CaseStatus(enum.StrEnum):
    """Where a help-back case stands; mirrors the step of its gap_case process."""

    PLANNING = "planning"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    ACCEPTING = "accepting"
    CLOSED = "closed"
    CARRIED_OVER = "carried_over"  # unfinished at the annual acceptance: continued next year


class NamesItsSubject:
    """For rows about a household, a village or a township (they have those relationships)."""

    household: Household | None
    village: Village | None
    township: Township

    @property
    def subject_label(self) -> str:
        """The subject as the county writes it: household head and ID, or village, or township."""
        if self.household is not None:
            # A Uyghur reader sees the name as written in Uyghur where the register gives it.
            name = self.household.head_name
            if self.household.head_name_ug and current_language() == "ug":
                name = self.household.head_name_ug
            return _("%(name)s (%(id)s)", name=name, id=self.household.id_number)
        if self.village is not None:
            return f"{self.township.name}{self.village.name}"
        return self.township.name


class HelpCase(NamesItsSubject, db.Model):
    """One gap routed to one department, with a deadline and a named responsible person."""

    __tablename__ = "help_case"
    __table_args__ = (  # the overdue board and the report, by scope (migrations 0005, 0019)
        sa.Index("ix_help_case_round_township_due", "round_id", "township_id", "due_at"),
        sa.Index("ix_help_case_round_department_due", "round_id", "department_id", "due_at"),
        # Open cases only on PostgreSQL, most overdue first, with the board's grouping units.
        *(
            sa.Index(
                f"ix_help_case_open_{name}",
                "round_id",
                *columns,
                "due_at",
                "id",
                postgresql_include=list(include),
                postgresql_where=sa.text(
                    "status NOT IN ('closed', 'carried_over') AND verified_at IS NULL"
                ),
            )
            for name, columns, include in (
                ("township", ("township_id",), ("department_id", "village_id")),
                ("department", ("department_id",), ("township_id", "village_id")),
                ("round", (), ("township_id", "village_id", "department_id")),
            )
        ),
        # The board's weekly trend: every case of a township's round, read from the index.
        sa.Index(
            "ix_help_case_trend_township",
            "round_id",
            "township_id",
            "opened_at",
            postgresql_include=["due_at", "verified_at", "closed_at"],
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"), index=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, "subject_kind"))
    household_id: Mapped[int | None] = mapped_column(sa.ForeignKey("household.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"), index=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"), index=True)
    indicator_code: Mapped[str] = mapped_column(sa.String(40))
    indicator_label: Mapped[str] = mapped_column(sa.String(80))
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    # The lead unit: a department, or (department_id empty, lead_township) the subject's township.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    lead_township: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus, "case_status"), default=CaseStatus.PLANNING, index=True
    )
    measure: Mapped[str] = mapped_column(sa.Text, default="")
    target_standard: Mapped[str] = mapped_column(sa.Text, default="")
    responsible_person: Mapped[str] = mapped_column(sa.String(60), default="")
    planned_completion: Mapped[datetime | None] = mapped_column(UTCDateTime)
    funds_spent: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0"))
    escalation_level: Mapped[int] = mapped_column(default=-1)
    work_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_instance.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("help_case.id"))
    # The round whose look-back found the gap, when it is not the case's own round (a year-end
    # round's findings are cases of next year's plan).
    found_in_round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id"))

    household: Mapped[Household | None] = relationship()
    village: Mapped[Village | None] = relationship()
    township: Mapped[Township] = relationship()
    department: Mapped[Department | None] = relationship()
    co_units: Mapped[list[CaseCoUnit]] = relationship(
        order_by="CaseCoUnit.id", cascade="all, delete-orphan", back_populates="case"
    )

    @property
    def lead_name(self) -> str:
        """The lead unit's name: its department, or its township when the township leads."""
        return self.department.name if self.department is not None else self.township.name

    @property
    def co_department_ids(self) -> list[int]:
        """The departments that share the case (协办单位)."""
        return [u.department_id for u in self.co_units]

    @property
    def co_names(self) -> list[str]:
        """The co-responsible departments' names, in the order they were named."""
        return [u.department.name for u in self.co_units]


class CaseCoUnit(db.Model):
    """A department that shares a case with its lead unit (协办): it sees the case, adds
    progress and evidence; only the lead plans it and reports it done."""

    __tablename__ = "case_co_unit"
    __table_args__ = (sa.UniqueConstraint("case_id", "department_id", name="uq_case_co_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("help_case.id"), index=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    case: Mapped[HelpCase] = relationship(back_populates="co_units")
    department: Mapped[Department] = relationship()


class CaseNote(db.Model):
    """A progress note on a case, with funds spent and an optional evidence file's hash."""

    __tablename__ = "case_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("help_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    funds: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0"))


class CaseEvidence(db.Model):
    """A photo or scan attached to a case, stored once by its SHA-256 (the hash is the proof)."""

    __tablename__ = "case_evidence"
    __table_args__ = (sa.CheckConstraint("size > 0", name="evidence_size"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("help_case.id"), index=True)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(sa.String(200), default="")


class DecisionStatus(enum.StrEnum):
    """Whether the leading group has decided an accountability item."""

    OPEN = "open"
    DECIDED = "decided"


class AccountabilityItem(db.Model):
    """A failing §七 names, on which the leading group must decide (追责问责 §七.1): a case at
    the last escalation level, a township's late survey or results, a gap the survey missed
    (核查不准确), a case not up to standard (回头帮不达标). It names the unit and the person."""

    __tablename__ = "accountability_item"
    __table_args__ = (sa.UniqueConstraint("key", name="uq_accountability_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"), index=True)
    # "lateness", "survey_late", "results_late", "inaccurate", "substandard"
    kind: Mapped[str] = mapped_column(sa.String(20), default="lateness")
    key: Mapped[str] = mapped_column(sa.String(60))  # one item per failing: kind and subject
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("help_case.id"))
    gap_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gap.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    person_name: Mapped[str] = mapped_column(sa.String(120), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    grounds: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DecisionStatus] = mapped_column(
        enum_column(DecisionStatus, "decision_status"), default=DecisionStatus.OPEN
    )
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case: Mapped[HelpCase | None] = relationship()
    department: Mapped[Department | None] = relationship()
    township: Mapped[Township] = relationship()


class CaseEscalation(db.Model):
    """A reminder (level 0) or escalation (levels 1–3) that fired for a case: at most once each."""

    __tablename__ = "case_escalation"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "level", name="uq_case_escalation_level"),
        sa.CheckConstraint("level BETWEEN 0 AND 3", name="level_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("help_case.id"), index=True)
    level: Mapped[int]
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
