import pytest
from django.core.management import CommandError, call_command

from accueil.accounts.models import Invitation, Organisation, Role
from accueil.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_it_bootstraps_the_host_organisation_and_an_admin_invitation(capsys):
    call_command(
        "create_admin",
        email="Director@Example.org",
        name="Fatima Yusuf",
        organisation="Welcome Network",
    )
    out = capsys.readouterr().out
    invitation = Invitation.objects.get()
    assert invitation.role == Role.ADMIN and invitation.email == "director@example.org"
    assert invitation.organisation == Organisation.objects.get(
        kind=Organisation.Kind.HOST, name="Welcome Network"
    )
    link = out.strip().splitlines()[-1]
    assert "/invite/" in link and link in OutboxMessage.objects.get().body_text


def test_it_needs_an_organisation_name_on_a_new_installation():
    with pytest.raises(CommandError, match="--organisation"):
        call_command("create_admin", email="a@example.org", name="A")


def test_it_replaces_a_pending_admin_invitation(capsys):
    call_command("create_admin", email="a@example.org", name="A", organisation="Host")
    call_command("create_admin", email="a@example.org", name="A")
    assert Invitation.objects.pending().count() == 1
    assert Organisation.objects.count() == 1
