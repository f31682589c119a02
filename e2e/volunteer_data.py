"""Volunteers, screening, training and Welcome Groups as people meet them, for the browser tests.

screens.py and test_volunteer_journey.py build their data here. Where a page shows what a
service records (history, reference requests, the outbox), the data goes through the services;
the factories make the rest.
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accueil.accounts.models import Program, Role, User
from accueil.factories import ProgramFactory, RegionFactory, UserFactory, host_organisation
from accueil.volunteers.documents import CleanDocument, validate_upload
from accueil.volunteers.models import (
    StepType,
    TrainingCompletion,
    Volunteer,
    WelcomeGroup,
)
from accueil.volunteers.selectors_training import published_modules
from accueil.volunteers.services import groups as group_services
from accueil.volunteers.services import screening
from accueil.volunteers.tests.factories import ReferenceFactory, VolunteerFactory
from accueil.volunteers.training.loader import load_training

# What a referee answers on the form (or tells a coordinator on the phone).
GOOD_REFERENCE = {
    "known_for": "3_10",
    "capacity": "I managed her at the public library for four years.",
    "trust": "yes",
    "concerns": "",
    "comments": "Patient, reliable and good at explaining things simply.",
}


def toronto_program() -> Program:
    """The program the volunteers pages use, with the host organisation accounts belong to."""
    host_organisation()
    program = ProgramFactory(
        name="Welcome Groups Toronto",
        short_name="Toronto",
        description="Welcome Groups in the Greater Toronto Area.",
    )
    program.regions.set([RegionFactory(name="Toronto"), RegionFactory(name="Peel")])
    return program


def toronto(program: Program):
    return program.regions.get(name="Toronto")


def coordinator_of(program: Program, *, language: str = "en", **kwargs) -> User:
    """A coordinator of the program, with an authenticator app (UserFactory gives staff one)."""
    kwargs.setdefault("full_name", "Cora Coordinator")
    user = UserFactory(role=Role.COORDINATOR, language=language, **kwargs)
    user.programs.add(program)
    return user


def load_modules() -> None:
    """The five real training modules, as `manage.py load_training` loads them."""
    load_training()


def trained(user: User) -> None:
    """Every published module passed (what the readiness gate asks of members and leads)."""
    TrainingCompletion.objects.bulk_create(
        TrainingCompletion(user=user, module=module, completed_at=timezone.now())
        for module in published_modules()
    )


def volunteer(
    program: Program,
    full_name: str,
    *,
    language: str = "en",
    languages=(("en", "fluent"),),
    **kwargs,
) -> Volunteer:
    """A volunteer of the program (applied unless told otherwise, see VolunteerFactory)."""
    email = full_name.lower().replace(" ", ".") + "@example.org"
    user = UserFactory(role=Role.VOLUNTEER, full_name=full_name, email=email, language=language)
    kwargs.setdefault("region", toronto(program))
    return VolunteerFactory(user=user, program=program, languages=list(languages), **kwargs)


def approved_volunteer(program: Program, full_name: str, **kwargs) -> Volunteer:
    """Approved after a complete screening (police check valid 3 years), training passed."""
    approved = volunteer(program, full_name, approved=True, **kwargs)
    trained(approved.user)
    return approved


def welcome_group(
    program: Program, *, by: User, name: str, lead: Volunteer, members=()
) -> WelcomeGroup:
    """A group built by staff, through the services (its history shows who did what)."""
    group = group_services.group_create(
        name=name, program=program, region=lead.region, by=by, lead=lead.user
    )
    for member in members:
        group_services.group_add_member(group=group, user=member.user, by=by)
    return group


def ready_group(program: Program, *, by: User, name: str = "Parkdale Welcome Group"):
    """A lead and two members, all approved, trained and with valid police checks."""
    lead = approved_volunteer(
        program, "Amira Saleh", languages=[("ar", "native"), ("en", "fluent")]
    )
    members = [
        approved_volunteer(
            program, "Daniel Okafor", languages=[("en", "native"), ("fr", "conversational")]
        ),
        approved_volunteer(
            program,
            "Lucía Fernández",
            languages=[("es", "native"), ("en", "fluent")],
            availability=["tue_evening", "thu_evening", "sat_morning"],
        ),
    ]
    return welcome_group(program, by=by, name=name, lead=lead, members=members)


def police_check_pdf(name: str = "police-check.pdf") -> CleanDocument:
    return validate_upload(SimpleUploadedFile(name, police_check_bytes()))


def police_check_bytes() -> bytes:
    """A small file that is a PDF by its first bytes, which is what the upload checks."""
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def volunteer_in_screening(
    program: Program, *, by: User, full_name: str = "Nadia Haddad", language: str = "en"
) -> Volunteer:
    """Half-way through screening: interview booked, one referee answered by phone and one
    asked by email, a police check sent by the volunteer and waiting for its date."""
    nadia = volunteer(
        program,
        full_name,
        language=language,
        languages=[("ar", "native"), ("fr", "fluent"), ("en", "conversational")],
        phone="416 555 0123",
        gender="woman",
        coordinator=by,
        skills=["socializing", "language_practice", "health_care"],
        heard_from="A friend at the mosque",
    )
    ReferenceFactory(
        volunteer=nadia, name="Samira Nouri", email="samira@example.net", relation="Manager"
    )
    second = ReferenceFactory(
        volunteer=nadia, name="Paul Tremblay", email="paul@example.net", relation="Neighbour"
    )
    screening.screening_start(volunteer=nadia, by=by)
    interview = nadia.steps.get(step_type=StepType.INTERVIEW)
    screening.interview_schedule(step=interview, when=timezone.now() + timedelta(days=3), by=by)
    second.refresh_from_db()
    screening.reference_record_by_phone(reference=second, answers=GOOD_REFERENCE, by=by)
    screening.document_upload_by_volunteer(
        volunteer=nadia, document=police_check_pdf(), by=nadia.user
    )
    return nadia


def pipeline(program: Program, *, by: User) -> None:
    """Volunteers at every stage of the board, one waiting long, one in another region."""
    volunteer_in_screening(program, by=by)
    long_ago = timezone.now() - timedelta(days=23)
    volunteer(
        program,
        "Tomás Rivera",
        languages=[("es", "native"), ("en", "fluent")],
        status_changed_at=long_ago,
        applied_at=long_ago,
        references=2,
    )
    volunteer(
        program,
        "Grace Mensah",
        languages=[("en", "native"), ("tw", "native")],
        region=program.regions.get(name="Peel"),
    )
    volunteer(
        program,
        "Olena Kovalenko",
        languages=[("uk", "native"), ("ru", "fluent"), ("en", "fluent")],
        status="on_hold",
        coordinator=by,
    )
    approved_volunteer(program, "Hamid Rahimi", languages=[("fa", "native"), ("en", "fluent")])
    volunteer(program, "Ben Carter", status="declined", decline_reason="Could not commit.")


# The public application, filled in by one browser (a Django test client, whose session the
# real browser then takes over).


def application_pages(program: Program, *, invite_code: str = "") -> dict[str, dict]:
    """What a person posts on each question page, in order."""
    region = toronto(program)
    return {
        "about": {
            "full_name": "Nadia Haddad",
            "preferred_name": "Nadia",
            "email": "nadia.haddad@example.org",
            "phone": "416 555 0123",
            "program": str(program.pk),
            "region": str(region.pk),
            "website": "",
        },
        "gender": {"gender": "woman"},
        "languages": {
            "language_1": "Arabic",
            "level_1": "native",
            "language_2": "French",
            "level_2": "fluent",
            "language_3": "English",
            "level_3": "conversational",
        },
        "skills": {"skills": ["socializing", "language_practice", "health_care"]},
        "availability": {"availability": ["tue_evening", "thu_evening", "sat_morning"]},
        "location": {"postal_prefix": "M6H", "in_person": "yes", "heard_from": "A friend"},
        "group": {"invite_code": invite_code},
        "motivation": {
            "motivation": "I came to Canada as a student and a neighbour helped me find my way. "
            "I would like to do the same for a family now."
        },
        "references": {
            "ref1_name": "Samira Nouri",
            "ref1_email": "samira@example.net",
            "ref1_relation": "Manager at the library",
            "ref2_name": "Paul Tremblay",
            "ref2_email": "paul@example.net",
            "ref2_relation": "Neighbour for 6 years",
        },
        "consent": {"consent": "on"},
    }


def application_client(
    program: Program, *, language: str, until: str | None = None, submit: bool = False
) -> Client:
    """A browser session that answered every question page before ``until`` (all of them
    without it), and sent the application with ``submit``."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for step, data in application_pages(program).items():
        if step == until:
            break
        response = client.post(reverse("apply_step", args=[step]), data)
        assert response.status_code == 302, f"the {step!r} page refused its answers"
    if submit:
        assert until is None, "an application is sent once every page is answered"
        response = client.post(reverse("apply_check"))
        assert response.status_code == 302, "the application was not sent"
    return client
