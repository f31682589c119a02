"""SMS backends and segment counting.

A backend has one method, ``send(message) -> provider_message_id``, and raises DeliveryError.
``ConsoleBackend`` (demo) and ``FileBackend`` (tests, audits) never leave the machine;
``HttpProviderBackend`` talks to a Twilio-compatible REST API.
"""

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from .base import DeliveryError

logger = logging.getLogger(__name__)

# The GSM 03.38 default alphabet, and its extension table (each costs two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def sms_parts(text: str) -> tuple[str, int]:
    """Return the encoding ("gsm7" or "ucs2") and the number of parts the text costs.

    One character outside GSM-7 switches the whole text to UCS-2: 70 characters in one part,
    67 per part when split (160 and 153 for GSM-7).
    """
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        # An extension character costs two septets (escape + character).
        costs = [2 if ch in GSM7_EXTENDED else 1 for ch in text]
        return "gsm7", _count_parts(costs, single=160, per_part=153)
    # UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return "ucs2", _count_parts(costs, single=70, per_part=67)


def _count_parts(costs: list[int], *, single: int, per_part: int) -> int:
    if sum(costs) <= single:
        return 1
    # Split messages are cut between characters, never inside one: an escaped GSM-7
    # character or a UTF-16 surrogate pair that does not fit moves whole to the next part,
    # so dividing the total by the part size would undercount.
    parts, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            parts, used = parts + 1, 0
        used += cost
    return parts


def get_backend():
    return import_string(settings.SMS_BACKEND)()


class ConsoleBackend:
    def send(self, message) -> str:
        encoding, parts = sms_parts(message.body_text)
        # The demo's way of showing a text message.
        print(
            f"--- SMS #{message.pk} to {message.to_address} ({encoding}, {parts} part(s)) ---\n"
            f"{message.body_text}\n---",
            flush=True,
        )
        return f"console-{message.pk}"


class FileBackend:
    """Writes one JSON file per message under SMS_FILE_DIR."""

    def send(self, message) -> str:
        directory = Path(settings.SMS_FILE_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        encoding, parts = sms_parts(message.body_text)
        path = directory / f"{message.idempotency_key}.json"
        path.write_text(
            json.dumps(
                {
                    "to": message.to_address,
                    "from": settings.SMS_FROM_NUMBER,
                    "body": message.body_text,
                    "encoding": encoding,
                    "parts": parts,
                },
                ensure_ascii=False,
            )
        )
        return f"file-{message.idempotency_key}"


class HttpProviderBackend:
    """A Twilio-compatible Messages API: POST form fields To/From/Body with basic auth.

    5xx answers, timeouts and connection errors are transient (retried with backoff);
    4xx answers other than 408 and 429 are permanent (a bad number will not get better).
    """

    # "Request Timeout" and "Too Many Requests" say: try again later.
    transient_client_errors = frozenset({408, 429})

    timeout = 15

    def send(self, message) -> str:
        if not settings.SMS_HTTP_URL:
            raise DeliveryError("SMS_HTTP_URL is not configured", permanent=True)
        data = urllib.parse.urlencode(
            {"To": message.to_address, "From": settings.SMS_FROM_NUMBER, "Body": message.body_text}
        ).encode()
        request = urllib.request.Request(settings.SMS_HTTP_URL, data=data, method="POST")  # noqa: S310 - URL is operator configuration
        credentials = f"{settings.SMS_HTTP_ACCOUNT}:{settings.SMS_HTTP_TOKEN}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials).decode())
        request.add_header("Idempotency-Key", message.idempotency_key)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            exc.close()  # the error carries the open response; do not leak the socket
            permanent = 400 <= exc.code < 500 and exc.code not in self.transient_client_errors
            raise DeliveryError(f"provider answered HTTP {exc.code}", permanent=permanent) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"provider unreachable: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise DeliveryError("provider answered with invalid JSON") from exc
        return str(payload.get("sid") or payload.get("id") or "")
