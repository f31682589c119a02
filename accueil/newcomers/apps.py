from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewcomersConfig(AppConfig):
    name = "accueil.newcomers"
    label = "newcomers"
    verbose_name = _("Newcomer households")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import permissions  # noqa: F401 - registers rules
        from .models import Consent, Household, HouseholdMember, OnboardingCall

        # Every encrypted field is masked in recorded changes: the trail says that the phone
        # changed, never what it was or became.
        sensitive = [
            "head_name",
            "head_preferred_name",
            "phone",
            "phone_hash",
            "email",
            "immigration_status",
            "arrival_date",
            "claim_date",
            "identity_hash",
            "composition",
            "priority_notes",
            "accessibility_needs",
            "staff_notes",
            "shared_profile",
            "eligibility_reason",
        ]
        auditlog.register(Household, exclude_fields=["updated_at"], mask_fields=sensitive)
        auditlog.register(HouseholdMember, mask_fields=["first_name", "needs"])
        auditlog.register(Consent, exclude_fields=["updated_at"])
        auditlog.register(OnboardingCall, exclude_fields=["updated_at"], mask_fields=["notes"])

    def seed_demo(self) -> str:
        from .demo import seed

        return seed()
