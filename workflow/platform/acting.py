"""Who is acting: the user whose task or command is running, for the audit of what follows.

A diagram's service functions run deep inside the engine, far from the request that set them
going; they ask `current_actor` instead of being handed the user. The domain sets it around the
engine steps it runs for a user (completing a task, launching a round); the scheduler acts as
nobody (None).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from workflow.models.people import User

current_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "current_actor", default=None
)


@contextmanager
def acting_as(actor: User | None) -> Iterator[None]:
    """Run what follows on behalf of a user (None: the scheduler); service functions ask who."""
    token = current_actor.set(actor)
    try:
        yield
    finally:
        current_actor.reset(token)
