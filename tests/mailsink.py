"""A real SMTP server on 127.0.0.1 for tests: aiosmtpd on an ephemeral port, optional AUTH LOGIN/PLAIN."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _EphemeralController(Controller):
    """aiosmtpd's Controller, but bound to port 0 and told which port the OS picked."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class MailSink:
    """Collects every message delivered to it; `messages` are parsed `EmailMessage`s."""

    username: str | None = None
    password: str | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        assert self._controller is not None, "MailSink is not running"
        return self._controller.port

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        ok = user == self.username and password == self.password
        if ok:
            self.logins.append(user)
        return AuthResult(success=ok)

    def start(self) -> "MailSink":
        """Start listening on 127.0.0.1 (ephemeral port)."""
        auth = {}
        if self.username is not None:
            # Plain-text AUTH without TLS is fine on loopback and lets the test prove the
            # password really travels to the server without ever reaching logs.
            auth = {"authenticator": self._authenticate, "auth_require_tls": False, "auth_required": True}
        self._controller = _EphemeralController(self, hostname="127.0.0.1", port=0, **auth)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "MailSink":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
