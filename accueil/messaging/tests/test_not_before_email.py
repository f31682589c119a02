"""An email can be held back like a text message (quiet hours): the delivery task finds it not
yet due, and the sweep sends it once its time has come."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accueil.messaging.models import OutboxMessage
from accueil.messaging.services import (
    outbox_deliver,
    outbox_enqueue_template_email,
    outbox_sweep,
)

from .conftest import make_email

pytestmark = pytest.mark.django_db

EIGHT = datetime(2030, 3, 8, 8, 0, tzinfo=ZoneInfo("America/Toronto"))
NOTHING = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}


def test_an_email_held_until_eight_leaves_at_eight(mailoutbox):
    message = make_email(not_before=EIGHT)
    assert message.next_attempt_at == EIGHT

    # The delivery task queued on commit runs at once: nothing to claim yet.
    assert outbox_deliver(message.pk, now=EIGHT - timedelta(hours=9)) is None
    assert outbox_sweep(now=EIGHT - timedelta(minutes=1)) == NOTHING
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.QUEUED, 0)
    assert mailoutbox == []

    assert outbox_sweep(now=EIGHT + timedelta(seconds=1)) == {**NOTHING, "sent": 1}
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert [mail.subject for mail in mailoutbox] == [message.subject]


def test_a_templated_email_can_be_held_too():
    message = outbox_enqueue_template_email(
        to="coordinator@example.org",
        template_name="matches/activity/email/concern",
        context={"name": "Cora", "match": 12, "link": "https://example.org/matches/12/"},
        subject="A volunteer raised a concern",
        language="en",
        template="test.concern",
        not_before=EIGHT,
    )
    assert message.next_attempt_at == EIGHT


def test_without_not_before_an_email_is_due_at_once():
    before = datetime.now(tz=ZoneInfo("UTC"))
    message = make_email()
    assert before <= message.next_attempt_at <= datetime.now(tz=ZoneInfo("UTC"))
