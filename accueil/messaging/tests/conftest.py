"""Real servers on loopback for the outbox tests: an SMTP server and an SMS provider.

Nothing here imitates a library call: mail goes through Django's SMTP backend to aiosmtpd, and
text messages go through urllib to an HTTP server, so faults are real refused connections and
real HTTP answers.
"""

import base64
import json
import socket
import threading
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from accueil.messaging.services import outbox_enqueue_email, outbox_enqueue_sms

SMS_ACCOUNT = "AC0123456789"
SMS_TOKEN = "provider-token"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """aiosmtpd handler keeping every message it accepts; can refuse recipients."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.rcpt_reply: str | None = None  # e.g. "550 5.1.1 No such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server that can be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self._controller = None

    def start(self):
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)


@pytest.fixture
def smtp_server(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    server = SmtpServer()
    settings.EMAIL_PORT = server.port
    server.start()
    yield server
    server.stop()


class SmsProvider:
    """A Twilio-like Messages endpoint. ``answers`` is consumed one per POST; when it is
    empty the provider accepts the message (201 with a sid)."""

    sid = "SM123"

    def __init__(self):
        self.answers: list[int] = []
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                with provider.lock:
                    provider.requests.append(
                        {
                            "path": self.path,
                            # Header names are case-insensitive: keep them lower-case.
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "form": {key: values[0] for key, values in form.items()},
                        }
                    )
                    status = provider.answers.pop(0) if provider.answers else 201
                if status == 201:
                    body = {"sid": provider.sid, "status": "queued"}
                else:
                    body = {"code": status, "message": "provider says no"}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/Messages.json"
        # A short poll interval: shutdown() waits for the loop to notice.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self):
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def answer(self, *statuses: int):
        with self.lock:
            self.answers.extend(statuses)

    @property
    def posts(self) -> int:
        with self.lock:
            return len(self.requests)

    @staticmethod
    def expected_authorization() -> str:
        return "Basic " + base64.b64encode(f"{SMS_ACCOUNT}:{SMS_TOKEN}".encode()).decode()


@pytest.fixture
def sms_provider(settings):
    provider = SmsProvider()
    settings.SMS_BACKEND = "accueil.messaging.channels.sms.HttpProviderBackend"
    settings.SMS_HTTP_URL = provider.url
    settings.SMS_HTTP_ACCOUNT = SMS_ACCOUNT
    settings.SMS_HTTP_TOKEN = SMS_TOKEN
    settings.SMS_FROM_NUMBER = "+15550100000"
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def sms_files(settings, tmp_path):
    """SMS through the file backend: one JSON file per message under a temporary folder."""
    settings.SMS_BACKEND = "accueil.messaging.channels.sms.FileBackend"
    settings.SMS_FILE_DIR = tmp_path / "sms"
    return tmp_path / "sms"


def make_email(n: int = 0, **fields):
    values = {
        "to": f"person{n}@example.org",
        "subject": f"Your Welcome Group meeting #{n}",
        "body_text": "See you on Thursday at 6 pm.",
        "language": "en",
        "template": "test.meeting",
    }
    values.update(fields)
    return outbox_enqueue_email(**values)


def make_sms(n: int = 0, **fields):
    values = {
        "to": f"+1555010{n:04d}",
        "body_text": "Your Welcome Group meets on Thursday at 6 pm.",
        "language": "en",
        "template": "test.reminder",
    }
    values.update(fields)
    return outbox_enqueue_sms(**values)
