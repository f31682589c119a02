"""The file backend: one JSON file per text message, for tests and audits."""

import json

import pytest

from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import outbox_sweep

from .conftest import make_sms

pytestmark = pytest.mark.django_db


def test_it_writes_one_json_file_per_message(sms_files):
    first = make_sms(1, body_text="Votre groupe vous attend jeudi à 18 h.", language="fr")
    second = make_sms(2, body_text="مرحبا، موعدنا يوم الخميس", language="ar")

    assert outbox_sweep()["sent"] == 2

    assert sorted(path.name for path in sms_files.iterdir()) == sorted(
        [f"{first.idempotency_key}.json", f"{second.idempotency_key}.json"]
    )
    written = json.loads((sms_files / f"{second.idempotency_key}.json").read_text())
    assert written == {
        "to": "+15550100002",
        "from": "+15550100000",
        "body": "مرحبا، موعدنا يوم الخميس",
        "encoding": "ucs2",
        "parts": 1,
    }
    first_written = json.loads((sms_files / f"{first.idempotency_key}.json").read_text())
    assert (first_written["encoding"], first_written["parts"]) == ("gsm7", 1)
    second.refresh_from_db()
    assert second.status == OutboxMessage.Status.SENT
    assert second.provider_message_id == f"file-{second.idempotency_key}"


def test_it_overwrites_rather_than_duplicates_a_resent_message(sms_files):
    message = make_sms()
    outbox_sweep()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.QUEUED)

    outbox_sweep()

    assert len(list(sms_files.iterdir())) == 1
