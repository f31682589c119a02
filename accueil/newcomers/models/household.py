"""Refugee households: referrals, eligibility, consent, onboarding and the waitlist.

The most sensitive data in Accueil. Names, contact details, immigration status and dates,
household composition, accessibility needs and staff notes are encrypted at rest
(core.fields); the phone number and the name-plus-arrival identity also have keyed hashes so
staff can find a household and duplicates can be flagged without decrypting every row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.core.fields import EncryptedDateField, EncryptedTextField
from accueil.core.models import TimeStampedModel


class ImmigrationStatus(models.TextChoices):
    GAR = "gar", _("Government-assisted refugee (GAR)")
    JAS = "jas", _("Joint Assistance Sponsorship (JAS)")
    BVOR = "bvor", _("Blended Visa Office-Referred (BVOR)")
    PROTECTED_PERSON = "protected_person", _("Protected person")
    CLAIMANT = "claimant", _("Refugee claimant")
    OTHER = "other", _("Other")


class HouseholdStatus(models.TextChoices):
    RECEIVED = "received", _("Referral received")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    ONBOARDING = "onboarding", _("Onboarding call scheduled")
    WAITING = "waiting", _("Waiting for a match")
    PAUSED = "paused", _("Paused")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReferralSource(models.TextChoices):
    PARTNER = "partner", _("Partner referral form")
    STAFF_PHONE = "staff_phone", _("Entered by staff after a phone call")
    STAFF_EMAIL = "staff_email", _("Entered by staff from an email")
    SELF = "self", _("Self-referral")
    API = "api", _("Partner API")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon: within a few weeks")
    URGENT = "urgent", _("Urgent: very isolated or at risk")


class MeetingMode(models.TextChoices):
    REMOTE = "remote", _("Remote only")
    IN_PERSON = "in_person", _("In person")
    EITHER = "either", _("Either")


class ProgramIntake(models.Model):
    """How a program takes households in: self-referral, the waiting-time target."""

    program = models.OneToOneField(
        "accounts.Program", on_delete=models.CASCADE, related_name="intake"
    )
    self_referral_enabled = models.BooleanField(_("public self-referral form"), default=False)
    target_wait_min_days = models.PositiveSmallIntegerField(
        _("target wait, from (days)"), default=42
    )
    target_wait_max_days = models.PositiveSmallIntegerField(
        _("target wait, up to (days)"), default=56
    )

    def __str__(self) -> str:
        return str(self.program)


class EligibilityRule(models.Model):
    """Who a program serves: for a status, the years since arrival (or since the claim) within
    which a household is eligible on its referral date. No window means any date; a status
    with no rule is not eligible."""

    class Anchor(models.TextChoices):
        ARRIVAL = "arrival", _("arrival in Canada")
        CLAIM = "claim", _("date of the refugee claim")

    program = models.ForeignKey(
        "accounts.Program", on_delete=models.CASCADE, related_name="eligibility_rules"
    )
    immigration_status = models.CharField(
        _("status"), max_length=20, choices=ImmigrationStatus.choices
    )
    anchor = models.CharField(
        _("counted from"), max_length=10, choices=Anchor.choices, default=Anchor.ARRIVAL
    )
    window_years = models.PositiveSmallIntegerField(_("within (years)"), null=True, blank=True)
    regions = models.ManyToManyField(
        "accounts.Region", blank=True, help_text=_("Empty: the program's regions.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "immigration_status"], name="one_rule_per_status"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.get_immigration_status_display()}"


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff: their programs (admins and managers: all). Partner referrers: the households
        their own agency referred. Nobody else — volunteers see shared profiles through their
        match, never the household record."""
        if not user.is_authenticated:
            return self.none()
        if user.role in ("admin", "program_manager"):
            return self
        if user.role == "coordinator":
            return self.filter(program__in=user.programs.all())
        if user.role == "partner_referrer":
            return self.filter(referring_organisation_id=user.organisation_id)
        return self.none()

    def waiting(self):
        return self.filter(status=HouseholdStatus.WAITING)


class Household(TimeStampedModel):
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("program"),
    )
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("region"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.RECEIVED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(default=timezone.now)

    # The referral
    source = models.CharField(_("referred through"), max_length=20, choices=ReferralSource.choices)
    referring_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referral_date = models.DateField(_("referral date"), default=timezone.localdate)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="household_caseload",
    )

    # Head of household
    head_name = EncryptedTextField(_("name of the head of household"))
    head_preferred_name = EncryptedTextField(_("preferred name"), blank=True)
    phone = EncryptedTextField(_("phone number"))
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    whatsapp = models.BooleanField(_("uses WhatsApp"), default=False)
    email = EncryptedTextField(_("email address"), blank=True)
    languages = models.JSONField(_("languages"), default=list)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=True)

    # Immigration (encrypted; never shown to volunteers)
    immigration_status = EncryptedTextField(_("immigration status"))
    arrival_date = EncryptedDateField(_("arrival in Canada"), null=True, blank=True)
    claim_date = EncryptedDateField(_("date of the refugee claim"), null=True, blank=True)
    identity_hash = models.CharField(max_length=64, db_index=True, editable=False, blank=True)

    # The household
    household_size = models.PositiveSmallIntegerField(_("people in the household"), default=1)
    composition = EncryptedTextField(_("who is in the household"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_prefix = models.CharField(
        _("first three characters of the postal code"), max_length=3, blank=True
    )
    priorities = models.JSONField(_("integration priorities, most important first"), default=list)
    priority_notes = EncryptedTextField(_("about these priorities"), blank=True)
    availability = models.JSONField(_("weekly availability"), default=list)
    channels = models.JSONField(_("preferred channels"), default=list)
    device_access = models.CharField(_("devices and internet"), max_length=200, blank=True)
    women_only = models.BooleanField(_("asks for a women-only group"), default=False)
    meeting_mode = models.CharField(
        _("meetings"), max_length=10, choices=MeetingMode.choices, default=MeetingMode.EITHER
    )
    accessibility_needs = EncryptedTextField(_("accessibility needs"), blank=True)

    # Two parts of the profile
    shared_profile = models.TextField(
        _("profile shared with the matched group"),
        blank=True,
        help_text=_("Plain words the volunteers will read once matched. No immigration details."),
    )
    staff_notes = EncryptedTextField(_("staff-only notes"), blank=True)

    # Eligibility on the referral date, with any staff override
    is_eligible = models.BooleanField(_("eligible"), null=True)
    # Encrypted: the rules' sentence names the immigration status and the arrival or claim date.
    eligibility_reason = EncryptedTextField(_("why"), blank=True)
    eligibility_override = models.BooleanField(null=True, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Waitlist
    waitlisted_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    pause_reason = models.CharField(_("reason for the pause"), max_length=200, blank=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=200, blank=True)

    # Duplicates
    possible_duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["-referral_date", "-pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.head_preferred_name or self.head_name

    def audit_label(self) -> str:
        return f"{_('household')} #{self.pk}"

    @property
    def eligible(self) -> bool | None:
        """The decision in force: a staff override wins over the rules."""
        return (
            self.eligibility_override if self.eligibility_override is not None else self.is_eligible
        )


class HouseholdMember(models.Model):
    class AgeBand(models.TextChoices):
        CHILD = "0-5", _("0 to 5")
        SCHOOL = "6-12", _("6 to 12")
        TEEN = "13-17", _("13 to 17")
        YOUNG_ADULT = "18-24", _("18 to 24")
        ADULT = "25-64", _("25 to 64")
        SENIOR = "65+", _("65 or older")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    first_name = EncryptedTextField(_("first name or alias"))
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices)
    gender = models.CharField(_("gender"), max_length=20, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    school_or_work = models.CharField(_("school or work"), max_length=200, blank=True)
    needs = EncryptedTextField(_("needs"), blank=True)

    def __str__(self) -> str:
        return self.first_name


class ConsentPurpose(models.TextChoices):
    PARTICIPATION = "participation", _("Taking part in the program")
    SHARE_PROFILE = "share_profile", _("Sharing the profile with the matched group")
    RESEARCH = "research", _("Research use of survey answers")
    STORIES = "stories", _("Stories and photos")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")
    INTERPRETER = "interpreter", _("Verbal, through an interpreter")


class ConsentText(models.Model):
    """The words a person agreed to, per purpose, language and version."""

    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    language = models.CharField(max_length=10)
    version = models.CharField(max_length=20)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "language", "version"], name="one_consent_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.language} {self.version}"


class Consent(TimeStampedModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("for"), max_length=20, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("agreed"))
    version = models.CharField(_("consent text version"), max_length=20)
    language = models.CharField(_("language"), max_length=10)
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    obtained_by_name = models.CharField(_("obtained by"), max_length=200, blank=True)
    obtained_at = models.DateTimeField(_("when"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["purpose", "-obtained_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_current_consent_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.given}"

    @property
    def in_force(self) -> bool:
        return self.given and self.withdrawn_at is None


class OnboardingCall(TimeStampedModel):
    """The 30-45 minute call with the head of household, often through an interpreter."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="onboarding_calls"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    interpreter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interpreting_calls",
    )
    language = models.CharField(_("language of the call"), max_length=10, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    checklist = models.JSONField(default=dict)
    notes = EncryptedTextField(_("notes"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return f"call {self.scheduled_at:%Y-%m-%d}"
