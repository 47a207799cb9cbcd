"""The errors domain operations raise; each carries a message a clerk can read (in Chinese)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from workflow.platform.i18n import _

WHOLE = "_"
"""The `field` of a problem that is about the whole input rather than one field or cell."""


class Problem(NamedTuple):
    """One thing wrong with an input: the field (or sheet/cell) it is about, and what is wrong."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


class DomainError(Exception):
    """Base of every refusal the domain explains to its user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AccessDenied(DomainError):
    """The user's role or scope does not allow this."""


class Refused(DomainError):
    """The thing's present state forbids the action ("you can't do that now"): a closed case, a
    task someone else holds, a plan already signed. Nothing was changed."""


class RecordedRefusal(Refused):
    """A refusal the rules require on record (a try to delete a filed original, §七.1): the
    operation audited the try and changed nothing else, so the page, the API and the CLI commit
    the transaction (that audit event) instead of rolling it back."""


class ConflictError(DomainError):
    """A stale write: someone else changed this first, between reading and writing; nothing was
    overwritten, and the user should reload and try again."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to this user)."""


class ValidationFailed(DomainError):
    """Input was refused; `problems` lists every field (or cell) and what is wrong with it, always
    as a list of `Problem`. It may be built from problems, from a field → message mapping, or
    from bare messages (which are about the whole input)."""

    def __init__(self, problems: Iterable[Problem | str] | Mapping[str, str]):
        self.problems: list[Problem] = _problems(problems)
        super().__init__(_("; ").join(p.message for p in self.problems))

    def by_field(self) -> dict[str, str]:
        """Field → message, for a form that shows each message next to its field; several
        problems of one field are joined into one message."""
        fields: dict[str, list[str]] = {}
        for problem in self.problems:
            fields.setdefault(problem.field, []).append(problem.message)
        return {field: _("; ").join(messages) for field, messages in fields.items()}

    def messages(self) -> list[str]:
        """Every message, in order (for a list of problems under a form or in the terminal)."""
        return [p.message for p in self.problems]


def _problems(problems: Iterable[Problem | str] | Mapping[str, str]) -> list[Problem]:
    if isinstance(problems, Mapping):
        return [Problem(str(field), message) for field, message in problems.items()]
    return [p if isinstance(p, Problem) else Problem(WHOLE, str(p)) for p in problems]


class ImportRefused(ValidationFailed):
    """A file (a form, a workbook) was not stored; `problems` lists every `工作表!单元格: 原因`,
    each problem's field being its `工作表!单元格` (the whole file's when no cell is named)."""

    def __init__(self, problems: list[str]):
        super().__init__([_at_cell(p) for p in problems])


def _at_cell(message: str) -> Problem:
    cell, colon, _reason = message.partition(": ")
    if colon and "!" in cell and " " not in cell:
        return Problem(cell, message)
    return Problem(WHOLE, message)
