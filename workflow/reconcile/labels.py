"""The words of the reconciliation: each kind of difference and each source, in Chinese."""

from __future__ import annotations

from workflow.platform.i18n import _
from workflow.reconcile.compare import (
    ABSENT,
    EXIT_YEAR,
    FAMILY_SIZE,
    GONE,
    HEAD,
    NAME,
    PAPER,
    POLICE,
    REGISTER,
    RELATION,
)


def kind_label(kind: str) -> str:
    """What a kind of difference is called."""
    return {
        HEAD: _("Household head differs"),
        ABSENT: _("Member in one source, absent from the other"),
        GONE: _("Deceased or moved out, still counted"),
        NAME: _("Name differs"),
        RELATION: _("Relation to the head differs"),
        FAMILY_SIZE: _("Family size differs"),
        EXIT_YEAR: _("Exit year differs"),
    }[kind]


def kind_short(kind: str) -> str:
    """A kind of difference as a column of the report is headed."""
    return {
        HEAD: _("Head"),
        ABSENT: _("Member missing"),
        GONE: _("Deceased, counted"),
        NAME: _("Name"),
        RELATION: _("Relation"),
        FAMILY_SIZE: _("Family size"),
        EXIT_YEAR: _("Exit year"),
    }[kind]


def source_label(source: str) -> str:
    """What a source is called."""
    return {
        REGISTER: _("National system (register)"),
        POLICE: _("Police register"),
        PAPER: _("Paper archive (form 1)"),
    }.get(source, _("Neither source"))


def line_text(kind: str, person: str, source_a: str, value_a: str, source_b: str, value_b: str):
    """One difference as one line of a gap's evidence."""
    return _(
        "%(kind)s%(person)s: %(source_a)s “%(value_a)s”, %(source_b)s “%(value_b)s”",
        kind=kind_label(kind),
        person=f" {person}" if person else "",
        source_a=source_label(source_a),
        value_a=value_a,
        source_b=source_label(source_b),
        value_b=value_b,
    )
