import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_it_reports_database_and_queue_status(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["tasks"] == "ok"
    assert body["queue_lag_seconds"] == 0.0


@pytest.mark.django_db
def test_it_reports_a_lagging_queue(client, settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from accueil.messaging.tasks import sweep_outbox

    sweep_outbox.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    body = client.get(reverse("healthz")).json()
    assert body["tasks"] == "lagging"
    assert body["queue_lag_seconds"] >= 3600


def test_it_answers_503_when_the_database_is_unreachable():
    # A real unreachable database: PostgreSQL on a port where nothing listens.
    script = (
        "import django; django.setup();"
        "from django.test import RequestFactory;"
        "from accueil.core.views import healthz;"
        "r = healthz(RequestFactory().get('/healthz'));"
        "print(r.status_code, r.content.decode())"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "DJANGO_SETTINGS_MODULE": "accueil.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.startswith("503"), result.stdout + result.stderr
    assert "unreachable" in result.stdout
