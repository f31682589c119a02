"""Nothing sensitive about a household is readable in the database file itself."""

import pytest
from django.core.management import call_command
from django.db import connection

from accueil.newcomers.models import Household

pytestmark = pytest.mark.django_db


def _dump() -> str:
    """Every row of every table, as `sqlite3 FILE .dump` prints it (or PostgreSQL's text)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        chunks = []
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the catalogue
            chunks.extend(repr(row) for row in cursor.fetchall())
        return "\n".join(chunks)


def test_it_keeps_phone_numbers_notes_and_immigration_details_out_of_the_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo")
    households = list(Household.objects.all())
    assert len(households) == 75
    dump = _dump()
    for household in households:
        assert household.phone not in dump
        assert household.phone[2:] not in dump  # not even without the +1
        if household.staff_notes:
            assert household.staff_notes not in dump
        assert household.head_name not in dump
    assert "Prefers calls after 6 p.m." not in dump
    # Immigration details too: the status is an encrypted code, never a readable label.
    assert "'claimant'" not in dump and "'gar'" not in dump


def test_it_still_reads_every_household_after_a_key_rotation(settings, tmp_path):
    from cryptography.fernet import Fernet

    settings.VAR_DIR = tmp_path
    call_command("seed_demo")
    before = {h.pk: (h.phone, h.staff_notes, h.claim_date) for h in Household.objects.all()}
    settings.FIELD_ENCRYPTION_KEY = (
        f"{Fernet.generate_key().decode()},{settings.FIELD_ENCRYPTION_KEY}"
    )
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEY = settings.FIELD_ENCRYPTION_KEY.split(",")[
        0
    ]  # the old key is gone
    after = {h.pk: (h.phone, h.staff_notes, h.claim_date) for h in Household.objects.all()}
    assert after == before


def test_it_keeps_the_eligibility_reason_out_of_the_file(personas):
    """The rules' reason names the immigration status and the arrival date, both encrypted
    on the household: the sentence must not put them back in clear, in the row or in the
    audit trail's recorded changes."""
    import datetime

    from django.utils import timezone

    from accueil.factories import ProgramFactory, RegionFactory
    from accueil.newcomers.services.referrals import (
        ConsentGiven,
        Referral,
        current_consent_version,
        household_refer,
    )

    region = RegionFactory(name="Toronto")
    program = ProgramFactory()
    program.regions.add(region)
    household = household_refer(
        referral=Referral(
            program=program,
            region=region,
            source="partner",
            head_name="Amina Haddad",
            phone="416 555 0123",
            immigration_status="gar",
            arrival_date=datetime.date(2024, 5, 2),
            consent=ConsentGiven(
                obtained_by_name="Pat Partner",
                date=timezone.localdate(),
                method="verbal",
                language="ar",
                version=current_consent_version(),
            ),
        ),
        by=personas.partner_a,
    )
    household.refresh_from_db()
    assert "2 May 2024" in household.eligibility_reason  # still readable through the model
    dump = _dump()
    assert "2 May 2024" not in dump
    assert "government-assisted refugees" not in dump
