import json
import logging

import pytest
from django.urls import reverse

from accueil.core.logging import JsonFormatter

pytestmark = pytest.mark.django_db


def test_it_formats_records_as_json_lines():
    record = logging.makeLogRecord(
        {
            "msg": "request",
            "levelname": "INFO",
            "name": "accueil.request",
            "route": "home",
            "status": 200,
        }
    )
    payload = json.loads(JsonFormatter().format(record))
    assert (
        payload["message"] == "request" and payload["route"] == "home" and payload["status"] == 200
    )


def test_it_logs_requests_without_personal_data(personas, caplog):
    client = personas.client_for("admin")
    with caplog.at_level(logging.INFO, logger="accueil.request"):
        client.get(reverse("person_detail", args=[personas.volunteer.pk]))
        client.get(reverse("invitation_accept", args=["secret-token-value"]))
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "accueil.request"]
    assert len(lines) == 2
    text = "\n".join(lines)
    assert "volunteer@example.org" not in text and "Val Volunteer" not in text
    assert "secret-token-value" not in text  # routes are logged by name, never by path
    assert '"route": "person_detail"' in text and f'"user_id": {personas.admin.pk}' in text


def test_it_drops_paths_from_djangos_request_warnings(client, caplog):
    from accueil.core.logging import DropRequestPaths

    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/invite/a-secret-token/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    for record in records:
        DropRequestPaths().filter(record)
        line = JsonFormatter().format(record)
        assert "a-secret-token" not in line
        assert "404" in line
