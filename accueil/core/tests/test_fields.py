from datetime import date

import pytest
from django.db import connection

from accueil.core.fields import keyed_hash
from accueil.factories import ProgramFactory, RegionFactory


@pytest.mark.django_db
def test_it_keeps_dates_encrypted_and_reads_them_back_as_dates():
    from accueil.newcomers.models import Household

    household = Household.objects.create(
        program=ProgramFactory(),
        region=RegionFactory(),
        source="partner",
        head_name="Amal Haddad",
        phone="+14165550199",
        phone_hash=keyed_hash("+14165550199"),
        immigration_status="claimant",
        claim_date=date(2025, 2, 28),
    )
    household.refresh_from_db()
    assert household.claim_date == date(2025, 2, 28)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT claim_date, phone, head_name FROM newcomers_household WHERE id = %s",
            [household.pk],
        )
        raw = " ".join(cursor.fetchone())
    assert "2025-02-28" not in raw and "416" not in raw and "Amal" not in raw


def test_it_hashes_with_its_own_key(settings):
    first = keyed_hash("+14165550199")
    assert first == keyed_hash("+14165550199") and len(first) == 64
    settings.FIELD_HASH_KEY = "another-key-entirely-for-this-test"
    assert keyed_hash("+14165550199") != first
