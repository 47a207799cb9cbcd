"""A real SMTP server on loopback for tests (aiosmtpd), with huitou's settings pointed at it.

Use it from a test module with `pytest_plugins = ["tests.smtp_server"]` and the `smtp_server`
fixture. It registers its port with the `_no_strange_network` guard of tests/conftest.py.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from workflow.platform.settings import get_settings, use_settings


@dataclass(frozen=True)
class Received:
    """One message the server accepted, parsed, with its subject and text decoded."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


class MailStore:
    """An aiosmtpd handler that keeps every message, or refuses them all with a given reply."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.refusal: str | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusal is not None:
            return self.refusal
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), parsed))
        return "250 OK"


class SmtpServer:
    """The running test server: what it received, and switches to refuse or accept mail."""

    def __init__(self, store: MailStore, port: int) -> None:
        self.store = store
        self.port = port

    @property
    def messages(self) -> list[Received]:
        return list(self.store.messages)

    def refuse(self, reply: str = "451 4.3.0 Try again later") -> None:
        """Answer every message's DATA with this reply (a 4xx asks the sender to retry)."""
        self.store.refusal = reply

    def accept(self) -> None:
        """Accept mail again."""
        self.store.refusal = None

    def clear(self) -> None:
        """Forget what was received so far."""
        self.store.messages.clear()

    def to(self, address: str) -> list[Received]:
        """The messages received for one address."""
        return [m for m in self.store.messages if address in m.rcpt_tos]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app, _no_strange_network: set[int]) -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1, with HUITOU_SMTP_HOST/PORT pointed at it for the test."""
    port = free_port()
    _no_strange_network.add(port)
    store = MailStore()
    controller = Controller(store, hostname="127.0.0.1", port=port, server_hostname="smtp.test")
    controller.start()
    previous = get_settings()
    use_settings(replace(previous, smtp_host="127.0.0.1", smtp_port=port))
    try:
        yield SmtpServer(store, port)
    finally:
        use_settings(previous)
        controller.stop()
