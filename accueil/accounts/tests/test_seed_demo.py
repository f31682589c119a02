import pytest
from django.core.management import call_command

from accueil.accounts.models import Organisation, Program, Region, Role, User
from accueil.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Program.objects.count(),
        Region.objects.count(),
        AuditEntry.objects.count(),
        sorted(User.objects.values_list("email", "password")),
    )


def test_it_loads_every_role_and_is_idempotent(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo")
    first_output = capsys.readouterr().out
    before = _snapshot()
    call_command("seed_demo")
    second_output = capsys.readouterr().out
    assert _snapshot() == before
    assert first_output == second_output
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Organisation.objects.filter(kind="partner").count() == 2
    assert Program.objects.count() == 2 and Region.objects.count() == 3
    # Every staff login printed with what is needed to pass the second step.
    for user in User.objects.filter(
        role__in=["admin", "program_manager", "coordinator", "partner_referrer"]
    ):
        line = next(line for line in first_output.splitlines() if user.email in line)
        secret, recovery = line.split()[-2:]
        assert len(secret) == 32 and recovery.isalnum()
    assert "test" not in " ".join(User.objects.values_list("full_name", flat=True)).lower()
