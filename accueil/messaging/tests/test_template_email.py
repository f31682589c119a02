import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from accueil.messaging.services import outbox_enqueue_template_email

pytestmark = pytest.mark.django_db


def test_it_renders_body_and_subject_in_the_recipients_language():
    with translation.override("en"):  # the person acting reads English…
        message = outbox_enqueue_template_email(
            to="ana@example.org",
            template_name="volunteers/apply/email/resume_link",
            context={
                "name": "Ana",
                "link": "https://accueil.example.org/apply/resume/x/",
                "expires_at": None,
            },
            subject=gettext_lazy("Continue your volunteer application"),
            language="fr",  # …the recipient reads French
            template="application_resume",
        )
    assert message.language == "fr"
    assert message.subject != "Continue your volunteer application"
    assert "https://accueil.example.org/apply/resume/x/" in message.body_text
    assert message.body_html  # the .html version exists for this message


def test_it_sends_text_only_when_there_is_no_html_version():
    message = outbox_enqueue_template_email(
        to="referee@example.org",
        template_name="volunteers/screening/email/reference_request",
        context={
            "name": "Sam",
            "applicant": "Ana",
            "link": "https://x.example/r/",
            "organisation": "Host",
            "volunteer": None,
        },
        subject="Reference",
        language="es",
        template="reference",
    )
    assert message.body_html == ""
