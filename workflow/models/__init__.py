"""All models, imported together so metadata and migrations see every table."""

from workflow.models.api import ApiToken as ApiToken
from workflow.models.archive import ArchiveCustodian, ArchiveDocument
from workflow.models.audit import AuditEvent, AuditHead
from workflow.models.cases import (
    AccountabilityItem,
    CaseCoUnit,
    CaseEscalation,
    CaseEvidence,
    CaseNote,
    CaseStatus,
    DecisionStatus,
    HelpCase,
    SubjectKind,
)
from workflow.models.inbox import SavedFilter, Substitution  # noqa: F401 - re-exported
from workflow.models.inspections import (
    Inspection,
    InspectionLine,
    InspectionStatus,
    LineResult,
)
from workflow.models.operations import IncidentKind, ProcessIncident, TickRun
from workflow.models.org import County, Department, Household, Township, Village
from workflow.models.people import DigestMode, Role, User
from workflow.models.process import (
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    ProcessSpec,
    SchedulerLease,
    TaskState,
)
from workflow.models.reconcile import (
    PoliceExtract,
    PoliceMember,
    ReconcileDifference,
    ReconcileRun,
)
from workflow.models.register import HouseholdMember, PlannedExitReview, RegisterVersion
from workflow.models.rounds import Round, RoundKind, RoundStatus
from workflow.models.security import LoginAttempt
from workflow.models.survey import (
    CatalogueRecord,
    Gap,
    GapStatus,
    ProblemNote,
    ProblemStatus,
    RoutingChange,
    Signature,
    SurveyAnswer,
    SurveyEscalation,
    SurveySubmission,
    TownshipSurvey,
    TownshipSurveyStatus,
)

__all__ = [
    "AccountabilityItem",
    "ArchiveCustodian",
    "ArchiveDocument",
    "AuditEvent",
    "AuditHead",
    "CaseCoUnit",
    "CaseEscalation",
    "CaseEvidence",
    "CaseNote",
    "CaseStatus",
    "CatalogueRecord",
    "County",
    "DecisionStatus",
    "Department",
    "DigestMode",
    "Gap",
    "GapStatus",
    "HelpCase",
    "Household",
    "HouseholdMember",
    "HumanTask",
    "IncidentKind",
    "Inspection",
    "InspectionLine",
    "InspectionStatus",
    "InstanceStatus",
    "LineResult",
    "LoginAttempt",
    "PlannedExitReview",
    "PoliceExtract",
    "PoliceMember",
    "ProblemNote",
    "ProblemStatus",
    "ProcessIncident",
    "ProcessInstance",
    "ProcessSpec",
    "ReconcileDifference",
    "ReconcileRun",
    "RegisterVersion",
    "Role",
    "Round",
    "RoundKind",
    "RoundStatus",
    "RoutingChange",
    "SchedulerLease",
    "Signature",
    "SubjectKind",
    "SurveyAnswer",
    "SurveyEscalation",
    "SurveySubmission",
    "TaskState",
    "TickRun",
    "Township",
    "TownshipSurvey",
    "TownshipSurveyStatus",
    "User",
    "Village",
]
