"""A small real SMTP server on a free loopback port, for tests that send through smtplib.

It speaks enough of RFC 5321 for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT, no TLS, no AUTH) and keeps every message it receives, in order. `on_message` is
called with each message after it was stored and before the 250 reply, so a test can make
"the server has the message, the client never heard back" happen on purpose.
"""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Callable
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        try:
            self.wfile.write(line.encode("ascii") + b"\r\n")
            self.wfile.flush()
        except OSError:
            pass  # the client is gone (killed on purpose): nothing left to tell it

    def handle(self) -> None:
        self.server.owner.connected()
        self.reply("220 deqing-test ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.reply("250-deqing-test")
                self.reply("250 8BITMIME")
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                self.server.owner.received(self.read_data())
                self.reply("250 OK queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            # RFC 5321 4.5.2: the client doubled every leading dot.
            lines.append(line[1:] if line.startswith(b".") else line)
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SmtpServer


class SmtpServer:
    def __init__(self) -> None:
        self.on_message: Callable[[bytes], None] | None = None
        self._messages: list[bytes] = []
        self.connections = 0
        self._lock = threading.Lock()
        # Port 0: the system picks a free loopback port.
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """What EMAIL_URL points at (plain SMTP, no TLS, no login)."""
        host, port = self._server.server_address[:2]
        return f"smtp://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def connected(self) -> None:
        with self._lock:
            self.connections += 1

    def received(self, data: bytes) -> None:
        with self._lock:
            self._messages.append(data)
        if self.on_message:
            self.on_message(data)

    def messages(self) -> list[Message]:
        with self._lock:
            return [email.message_from_bytes(data) for data in self._messages]

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.messages()]
