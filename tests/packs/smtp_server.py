"""A loopback SMTP server (aiosmtpd) that records messages and can refuse recipients."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


@dataclass
class RecordingHandler:
    """Accepts everything except RCPTs in ``refuse`` (answered ``451``, a transient error)."""

    refuse: set[str] = field(default_factory=set)
    received: list[tuple[list[str], Message]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            self.refused.append(address)
            return "451 4.3.0 Temporary failure, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(handler: RecordingHandler) -> Iterator[tuple[str, int]]:
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port
    finally:
        controller.stop()
