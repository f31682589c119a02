"""Shared vocabularies: integration priorities, the weekly availability grid and gender.

Volunteers' skills and households' priorities use the same taxonomy so that matching can
compare them directly.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IntegrationPriority(models.TextChoices):
    SOCIALIZING = "socializing", _("Socializing and making friends")
    LANGUAGE_PRACTICE = "language_practice", _("Practising English or French")
    EMPLOYMENT = "employment", _("Finding work")
    HOUSING = "housing", _("Housing")
    HEALTH_CARE = "health_care", _("Finding health care")
    EDUCATION_CHILDCARE = "education_childcare", _("School, education and childcare")
    LEGAL_IMMIGRATION = "legal_immigration", _("Legal and immigration information")
    DIGITAL_SKILLS = "digital_skills", _("Using phones, computers and the internet")
    GETTING_AROUND = "getting_around", _("Getting around the city")
    OTHER = "other", _("Something else")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("I describe myself another way")
    UNDISCLOSED = "", _("I prefer not to say")


DAYS = [
    ("mon", pgettext_lazy("weekday", "Monday")),
    ("tue", pgettext_lazy("weekday", "Tuesday")),
    ("wed", pgettext_lazy("weekday", "Wednesday")),
    ("thu", pgettext_lazy("weekday", "Thursday")),
    ("fri", pgettext_lazy("weekday", "Friday")),
    ("sat", pgettext_lazy("weekday", "Saturday")),
    ("sun", pgettext_lazy("weekday", "Sunday")),
]
PERIODS = [
    ("morning", pgettext_lazy("time of day", "Morning")),
    ("afternoon", pgettext_lazy("time of day", "Afternoon")),
    ("evening", pgettext_lazy("time of day", "Evening")),
]
# "mon_morning" … "sun_evening": 21 slots, in this order (matching turns them into bits).
SLOTS = [f"{day}_{period}" for day, _d in DAYS for period, _p in PERIODS]


def slot_label(slot: str) -> str:
    day, period = slot.split("_", 1)
    return f"{dict(DAYS)[day]} {str(dict(PERIODS)[period]).lower()}"


def slots_to_mask(slots) -> int:
    mask = 0
    for slot in slots:
        mask |= 1 << SLOTS.index(slot)
    return mask
