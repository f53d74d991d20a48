"""A real SMTP server for tests: aiosmtpd on a free port of 127.0.0.1, keeping what it gets."""

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd's handler: every message accepted, with its envelope."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.delay = 0.0  # seconds to take over each message, to make senders overlap

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append({
                "mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                "message": message_from_bytes(envelope.original_content or envelope.content,
                                              policy=policy.default),
            })
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """Start, stop and start again on the same port (an outage), and read what arrived."""

    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[dict]:
        with self.inbox.lock:
            return list(self.inbox.messages)

    def mails(self) -> list[EmailMessage]:
        return [m["message"] for m in self.messages]

    def wait_for(self, count: int, timeout: float = 15) -> list[EmailMessage]:
        """The mails once at least `count` have arrived (the courier sends in the background)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.mails()

    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": False,
                "MAIL_DEFAULT_SENDER": "Shop <orders@shop.test>"}


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def body_html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
