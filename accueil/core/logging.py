"""JSON-lines log formatting. Records carry ids and codes, never personal data."""

import json
import logging

_STANDARD = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Extra fields passed with logger.info(..., extra={...}) are kept as they are.
        for key, value in vars(record).items():
            if (
                key not in _STANDARD
                and key not in payload
                and not key.startswith("_")
                and value is not None
            ):
                payload[key] = (
                    value if isinstance(value, (int, float, bool, type(None))) else str(value)
                )
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class DropRequestPaths(logging.Filter):
    """Django's own request loggers put the path in the message ("Not Found: /invite/<token>/")
    and the request object in the record. Paths carry tokens, so keep only the status."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in ("django.request", "django.server", "django.security.csrf"):
            status = getattr(record, "status_code", None)
            record.msg = f"{record.levelname.lower()} response" + (f" {status}" if status else "")
            record.args = ()
            if hasattr(record, "request"):
                record.request = None
        return True
