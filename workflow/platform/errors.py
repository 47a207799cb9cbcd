"""The errors domain operations raise; each carries a message a clerk can read (in Chinese)."""

from __future__ import annotations

from workflow.platform.i18n import _


class DomainError(Exception):
    """Base of every refusal the domain explains to its user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AccessDenied(DomainError):
    """The user's role or scope does not allow this."""


class ConflictError(DomainError):
    """Someone else changed this first; nothing was overwritten."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to this user)."""


class ValidationFailed(DomainError):
    """Input was refused; `problems` lists every field (or cell) and what is wrong with it."""

    def __init__(self, problems: list[str] | dict[str, str]):
        self.problems = problems
        items = problems.values() if isinstance(problems, dict) else problems
        super().__init__(_("; ").join(items))
