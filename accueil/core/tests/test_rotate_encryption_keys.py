import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from accueil.core import fields
from accueil.messaging.services import outbox_enqueue_email

pytestmark = pytest.mark.django_db


def _raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM messaging_outboxmessage WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_it_stores_encrypted_values_only(settings):
    message = outbox_enqueue_email(
        to="amal.haddad@example.org",
        subject="s",
        body_text="Call me at 416-555-0199",
        language="en",
        template="t",
    )
    assert "amal.haddad" not in _raw("to_address", message.pk)
    assert "416-555-0199" not in _raw("body_text", message.pk)


def test_it_re_encrypts_every_row_with_the_new_key(settings, capsys):
    old_key = settings.FIELD_ENCRYPTION_KEY.split(",")[0]
    message = outbox_enqueue_email(
        to="amal@example.org", subject="s", body_text="private", language="en", template="t"
    )
    before = _raw("body_text", message.pk)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = f"{new_key},{old_key}"
    fields._fernet.cache_clear()
    try:
        call_command("rotate_encryption_keys")
        after = _raw("body_text", message.pk)
        assert after != before
        assert Fernet(new_key.encode()).decrypt(after.encode()) == b"private"
        # Once rotated, the old key can go: the app still reads everything.
        settings.FIELD_ENCRYPTION_KEY = new_key
        fields._fernet.cache_clear()
        message.refresh_from_db()
        assert message.body_text == "private" and message.to_address == "amal@example.org"
    finally:
        fields._fernet.cache_clear()
    assert "messaging.OutboxMessage: 1 row(s) re-encrypted" in capsys.readouterr().out
