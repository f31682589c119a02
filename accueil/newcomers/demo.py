"""Demo households over every stage, referred by both partner agencies (75 in all,
30 of them past households whose match has ended).

Idempotent: a household is found by its phone number's keyed hash, so a second run changes
nothing. Names and numbers are invented; phone numbers use the 555-01xx range kept for fiction.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accueil.accounts.models import Organisation, Program, Region, Role, User
from accueil.core.fields import keyed_hash
from accueil.core.taxonomy import SLOTS, IntegrationPriority

from .models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Household,
    HouseholdMember,
    HouseholdStatus,
    ImmigrationStatus,
    MeetingMode,
    OnboardingCall,
    ReferralSource,
    Urgency,
)

# (head of household, language codes, status)
PEOPLE = [
    ("Amal Haddad", ["ar"], ImmigrationStatus.GAR),
    ("Yusuf Rahimi", ["prs", "fa"], ImmigrationStatus.GAR),
    ("Senait Gebremedhin", ["ti"], ImmigrationStatus.CLAIMANT),
    ("María José Pérez", ["es"], ImmigrationStatus.CLAIMANT),
    ("Olena Kovalenko", ["uk", "ru"], ImmigrationStatus.OTHER),
    ("Fatima Noorzai", ["ps", "prs"], ImmigrationStatus.GAR),
    ("Abdi Warsame", ["so"], ImmigrationStatus.PROTECTED_PERSON),
    ("Hana Tesfay", ["ti", "am"], ImmigrationStatus.CLAIMANT),
    ("Khaled Al-Masri", ["ar"], ImmigrationStatus.JAS),
    ("Rukhsana Ahmadi", ["prs"], ImmigrationStatus.BVOR),
    ("Jean-Baptiste Mugisha", ["rw", "fr"], ImmigrationStatus.CLAIMANT),
    ("Lina Darwish", ["ar", "en"], ImmigrationStatus.GAR),
    ("Carlos Méndez", ["es"], ImmigrationStatus.CLAIMANT),
    ("Mariam Yousef", ["ar"], ImmigrationStatus.GAR),
    ("Tsega Haile", ["am"], ImmigrationStatus.PROTECTED_PERSON),
    ("Nour Saleh", ["ar"], ImmigrationStatus.GAR),
    ("Zahra Hosseini", ["fa"], ImmigrationStatus.CLAIMANT),
    ("Dawit Berhane", ["ti"], ImmigrationStatus.GAR),
    ("Gloria Ramírez", ["es"], ImmigrationStatus.CLAIMANT),
    ("Ahmad Karimi", ["prs", "ps"], ImmigrationStatus.GAR),
    ("Samira Benali", ["ar", "fr"], ImmigrationStatus.CLAIMANT),
    ("Omar Farouk", ["ar"], ImmigrationStatus.GAR),
    ("Shukri Hassan", ["so", "ar"], ImmigrationStatus.PROTECTED_PERSON),
    ("Marta Gómez", ["es"], ImmigrationStatus.CLAIMANT),
    ("Habib Sultani", ["prs"], ImmigrationStatus.GAR),
    ("Aster Kidane", ["ti"], ImmigrationStatus.CLAIMANT),
    ("Rania Khoury", ["ar"], ImmigrationStatus.JAS),
    ("Valeria Torres", ["es"], ImmigrationStatus.CLAIMANT),
    ("Mohammad Azizi", ["fa", "prs"], ImmigrationStatus.GAR),
    ("Amina Yusuf", ["so"], ImmigrationStatus.CLAIMANT),
    ("Hiba Nasser", ["ar"], ImmigrationStatus.GAR),
    ("Luis Herrera", ["es"], ImmigrationStatus.CLAIMANT),
    ("Feruza Rashidova", ["uz", "ru"], ImmigrationStatus.PROTECTED_PERSON),
    ("Yonatan Tekle", ["ti"], ImmigrationStatus.GAR),
    ("Parwana Stanikzai", ["ps"], ImmigrationStatus.GAR),
    ("Sara Idris", ["ar", "ti"], ImmigrationStatus.CLAIMANT),
    ("Ana Lucía Castro", ["es"], ImmigrationStatus.CLAIMANT),
    ("Bilal Qureshi", ["ur"], ImmigrationStatus.CLAIMANT),
    ("Roya Mohammadi", ["fa"], ImmigrationStatus.BVOR),
    ("Eden Mesfin", ["am", "ti"], ImmigrationStatus.CLAIMANT),
    ("Yasmin Abdullah", ["ar"], ImmigrationStatus.GAR),
    ("Diego Vargas", ["es"], ImmigrationStatus.CLAIMANT),
    ("Najiba Haidari", ["prs"], ImmigrationStatus.GAR),
    ("Iryna Shevchenko", ["uk"], ImmigrationStatus.OTHER),
    ("Mustafa Jama", ["so"], ImmigrationStatus.GAR),
]
# Households whose match ended in the last two years: the surveys demo gives them before and
# after answers, so the impact report has a realistic sample.
ALUMNI = [
    ("Ayesha Nazari", ["prs"], ImmigrationStatus.GAR),
    ("Hassan Alawi", ["ar"], ImmigrationStatus.GAR),
    ("Selam Woldu", ["ti"], ImmigrationStatus.CLAIMANT),
    ("Rosa Quispe", ["es"], ImmigrationStatus.CLAIMANT),
    ("Mahmoud Saeed", ["ar"], ImmigrationStatus.JAS),
    ("Farida Amiri", ["fa"], ImmigrationStatus.BVOR),
    ("Yohannes Asfaha", ["ti"], ImmigrationStatus.GAR),
    ("Juana Morales", ["es"], ImmigrationStatus.CLAIMANT),
    ("Layla Haddad", ["ar", "en"], ImmigrationStatus.GAR),
    ("Sultan Rezaei", ["prs", "fa"], ImmigrationStatus.GAR),
    ("Ruth Ghebre", ["ti", "am"], ImmigrationStatus.CLAIMANT),
    ("Ibrahim Osman", ["ar"], ImmigrationStatus.PROTECTED_PERSON),
    ("Camila Rojas", ["es"], ImmigrationStatus.CLAIMANT),
    ("Nasrin Jafari", ["fa"], ImmigrationStatus.GAR),
    ("Tariq Hamdan", ["ar"], ImmigrationStatus.GAR),
    ("Mehret Tsegay", ["ti"], ImmigrationStatus.CLAIMANT),
    ("Sofía Navarro", ["es"], ImmigrationStatus.CLAIMANT),
    ("Wahid Popal", ["prs"], ImmigrationStatus.GAR),
    ("Dima Khalil", ["ar"], ImmigrationStatus.JAS),
    ("Elham Sadeghi", ["fa"], ImmigrationStatus.CLAIMANT),
    ("Kidane Berhe", ["ti"], ImmigrationStatus.GAR),
    ("Paula Jiménez", ["es"], ImmigrationStatus.CLAIMANT),
    ("Zainab Ali", ["ar"], ImmigrationStatus.GAR),
    ("Hamid Noori", ["prs"], ImmigrationStatus.GAR),
    ("Amanuel Habte", ["ti"], ImmigrationStatus.CLAIMANT),
    ("Youssef Mansour", ["ar", "fr"], ImmigrationStatus.CLAIMANT),
    ("Shabnam Rahimi", ["fa", "prs"], ImmigrationStatus.BVOR),
    ("Andrea Salazar", ["es"], ImmigrationStatus.CLAIMANT),
    ("Omar Abdi", ["so", "ar"], ImmigrationStatus.PROTECTED_PERSON),
    ("Grace Uwase", ["rw", "fr"], ImmigrationStatus.CLAIMANT),
]
FIRST_ALUMNUS = len(PEOPLE)
PEOPLE = PEOPLE + ALUMNI

# Stage of each household, in the order above: 75 in all.
STAGES = (
    [HouseholdStatus.RECEIVED] * 6
    + [HouseholdStatus.NOT_ELIGIBLE] * 4
    + [HouseholdStatus.ONBOARDING] * 6
    + [HouseholdStatus.WAITING] * 11
    + [HouseholdStatus.PAUSED] * 2
    + [HouseholdStatus.MATCHED] * 12
    + [HouseholdStatus.CLOSED] * 2
    + [HouseholdStatus.WITHDRAWN] * 2
    + [HouseholdStatus.CLOSED] * len(ALUMNI)
)
PRIORITIES = [p.value for p in IntegrationPriority if p != IntegrationPriority.OTHER]
CITIES = {
    "Toronto": ["Toronto", "Scarborough", "North York"],
    "Peel": ["Mississauga", "Brampton"],
    "Ottawa": ["Ottawa"],
}
PREFIXES = {"Toronto": ["M1P", "M4C", "M6K"], "Peel": ["L5B", "L6Y"], "Ottawa": ["K1R", "K2C"]}
SHARED = (
    "A family of {size} who arrived recently. They would like help to {first} and to {second}. "
    "They enjoy cooking and walks in the park, and hope to make friends in their new city."
)


def seed() -> str:
    partners = list(Organisation.objects.filter(kind=Organisation.Kind.PARTNER).order_by("pk"))
    referrers = {u.organisation_id: u for u in User.objects.filter(role=Role.PARTNER_REFERRER)}
    coordinators = list(User.objects.filter(role=Role.COORDINATOR).prefetch_related("programs"))
    interpreter = User.objects.filter(role=Role.INTERPRETER).first()
    programs = {p.short_name: p for p in Program.objects.all()}
    regions = {r.name: r for r in Region.objects.all()}
    gar_program = programs.get("GAR Welcome Groups") or next(iter(programs.values()))
    claimant_program = programs.get("Claimant Welcome Groups") or gar_program
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    with transaction.atomic():
        for i, ((name, languages, status_code), stage) in enumerate(
            zip(PEOPLE, STAGES, strict=True)
        ):
            phone = f"+1416555{100 + i:04d}"[:12]
            if Household.objects.filter(phone_hash=keyed_hash(phone)).exists():
                continue
            claimant = status_code == ImmigrationStatus.CLAIMANT
            program = claimant_program if claimant else gar_program
            region_name = ["Toronto", "Peel", "Toronto", "Ottawa", "Peel"][i % 5]
            if region_name not in {r.name for r in program.regions.all()}:
                region_name = "Toronto"
            region = regions[region_name]
            partner = partners[i % len(partners)] if partners else None
            # Referred between 10 and 160 days ago; onboarded about a week later, on the
            # waitlist a few days after that (so some wait past the 8-week target).
            days_since_referral = 10 + (i * 37) % 150
            if i >= FIRST_ALUMNUS:  # referred 9 to 22 months ago
                days_since_referral = 270 + ((i - FIRST_ALUMNUS) * 53) % 400
            referral_date = today - timedelta(days=days_since_referral)
            waitlisted = now - timedelta(days=max(days_since_referral - 10, 1))
            arrival = None if claimant else referral_date - timedelta(days=90 + i * 23)
            claim = referral_date - timedelta(days=60 + i * 11) if claimant else None
            if stage == HouseholdStatus.NOT_ELIGIBLE and not claimant:
                arrival = referral_date - timedelta(days=365 * 5 + i)  # arrived too long ago
            if stage == HouseholdStatus.NOT_ELIGIBLE:
                reason = (
                    "The claim was made more than the program's window before the referral."
                    if claimant
                    else "Arrived more than the program's window (3 or 4 years) before the referral date."
                )
                if claimant:
                    claim = referral_date - timedelta(days=365 * 4)
            else:
                reason = "Within the program's window on the referral date."
            size = 1 + i % 6
            first, second = PRIORITIES[i % len(PRIORITIES)], PRIORITIES[(i + 3) % len(PRIORITIES)]
            labels = dict(IntegrationPriority.choices)
            household = Household.objects.create(
                program=program,
                region=region,
                status=stage,
                status_changed_at=min(waitlisted, now - timedelta(days=1)),
                source=ReferralSource.PARTNER if partner else ReferralSource.STAFF_PHONE,
                referring_organisation=partner,
                referred_by=referrers.get(partner.pk) if partner else None,
                referral_date=referral_date,
                urgency=[Urgency.ROUTINE, Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT][i % 4],
                coordinator=next((c for c in coordinators if program in c.programs.all()), None)
                if stage not in (HouseholdStatus.RECEIVED, HouseholdStatus.NOT_ELIGIBLE)
                else None,
                head_name=name,
                head_preferred_name=name.split()[0],
                phone=phone,
                phone_hash=keyed_hash(phone),
                whatsapp=i % 3 != 0,
                languages=languages,
                interpreter_needed="en" not in languages,
                immigration_status=status_code,
                arrival_date=arrival,
                claim_date=claim,
                household_size=size,
                composition=f"{size} people: {'a parent and ' + str(size - 1) + ' children' if size > 1 else 'one adult'}",
                city=CITIES[region_name][i % len(CITIES[region_name])],
                postal_prefix=PREFIXES[region_name][i % len(PREFIXES[region_name])],
                priorities=[first, second, PRIORITIES[(i + 5) % len(PRIORITIES)]],
                priority_notes="Would like to practise English for job interviews."
                if first == "employment"
                else "",
                availability=[slot for k, slot in enumerate(SLOTS) if (i * 7 + k) % 5 == 0],
                channels=["whatsapp", "phone"] if i % 3 else ["sms", "phone"],
                device_access=[
                    "Smartphone with data",
                    "Shared phone, Wi-Fi at the library",
                    "Laptop and home internet",
                ][i % 3],
                women_only=i % 7 == 2,
                meeting_mode=[MeetingMode.REMOTE, MeetingMode.EITHER, MeetingMode.IN_PERSON][i % 3],
                shared_profile=SHARED.format(
                    size=size, first=str(labels[first]).lower(), second=str(labels[second]).lower()
                )
                if stage
                in (
                    HouseholdStatus.WAITING,
                    HouseholdStatus.PAUSED,
                    HouseholdStatus.MATCHED,
                    HouseholdStatus.CLOSED,
                )
                else "",
                staff_notes="Prefers calls after 6 p.m. when the children are home."
                if i % 4 == 0
                else "",
                is_eligible=stage != HouseholdStatus.NOT_ELIGIBLE,
                eligibility_reason=reason,
                waitlisted_at=waitlisted
                if stage
                in (
                    HouseholdStatus.WAITING,
                    HouseholdStatus.PAUSED,
                    HouseholdStatus.MATCHED,
                    HouseholdStatus.CLOSED,
                )
                else None,
                paused_until=today + timedelta(days=21)
                if stage == HouseholdStatus.PAUSED
                else None,
                pause_reason="Travelling to see family" if stage == HouseholdStatus.PAUSED else "",
                withdrawn_reason="Moved to another province"
                if stage == HouseholdStatus.WITHDRAWN
                else "",
            )
            for m in range(min(size, 4)):
                HouseholdMember.objects.create(
                    household=household,
                    first_name=name.split()[0]
                    if m == 0
                    else ["Sami", "Lea", "Adam", "Nadia"][(i + m) % 4],
                    age_band=HouseholdMember.AgeBand.ADULT
                    if m == 0
                    else ["0-5", "6-12", "13-17", "18-24"][(i + m) % 4],
                    languages=languages,
                    school_or_work="Language classes" if m == 0 else "Elementary school",
                )
            Consent.objects.create(
                household=household,
                purpose=ConsentPurpose.PARTICIPATION,
                given=True,
                version="2026-11",
                language=languages[0],
                method=ConsentMethod.INTERPRETER
                if household.interpreter_needed
                else ConsentMethod.VERBAL,
                obtained_by=household.referred_by,
                obtained_by_name=str(household.referred_by or ""),
                obtained_at=now - timedelta(days=days_since_referral),
            )
            # Sharing the profile comes with the onboarding call; most families also agree
            # to research use of their survey answers.
            purposes = [ConsentPurpose.RESEARCH] if i % 5 != 1 else []
            for purpose in [*purposes, ConsentPurpose.SHARE_PROFILE]:
                if not household.shared_profile:
                    break
                Consent.objects.create(
                    household=household,
                    purpose=purpose,
                    given=True,
                    version="2026-11",
                    language=languages[0],
                    method=ConsentMethod.INTERPRETER,
                    obtained_by=household.coordinator,
                    obtained_by_name=household.coordinator.display_name
                    if household.coordinator
                    else "",
                    obtained_at=waitlisted - timedelta(days=2),
                )
            if stage not in (HouseholdStatus.RECEIVED, HouseholdStatus.NOT_ELIGIBLE):
                done = stage != HouseholdStatus.ONBOARDING
                OnboardingCall.objects.create(
                    household=household,
                    coordinator=household.coordinator,
                    interpreter=interpreter if household.interpreter_needed else None,
                    language=languages[0],
                    scheduled_at=now + timedelta(days=2 + i % 5)
                    if not done
                    else waitlisted - timedelta(days=2),
                    duration_minutes=35 + i % 12 if done else None,
                    completed_at=waitlisted - timedelta(days=2) if done else None,
                    checklist={
                        "program": True,
                        "consent": True,
                        "household": True,
                        "priorities": True,
                    }
                    if done
                    else {},
                )
            created += 1
    total = Household.objects.count()
    waiting = Household.objects.waiting().count()
    return f"Households: {total} demo households referred by the partner agencies; {waiting} waiting for a match."
