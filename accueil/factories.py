"""factory-boy factories shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accueil.accounts.models import Organisation, Program, Region, Role, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partner agency {n}")
    kind = Organisation.Kind.PARTNER


def host_organisation() -> Organisation:
    return Organisation.objects.get_or_create(
        kind=Organisation.Kind.HOST, defaults={"name": "Host organisation"}
    )[0]


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Iterator(["Toronto", "Peel", "Ottawa"])


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Welcome Groups program {n}")
    short_name = factory.Sequence(lambda n: f"Program {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.VOLUNTEER
    organisation = factory.LazyFunction(host_organisation)
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        """Staff get an authenticator app unless mfa=False is passed."""
        wanted = obj.needs_mfa if extracted is None else extracted
        if create and wanted:
            TOTP.activate(obj, generate_totp_secret())
