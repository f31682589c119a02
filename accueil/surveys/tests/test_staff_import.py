"""Importing answers from a CSV file (importing.py and /surveys/import/): a valid file becomes one
completed, scored administration per row; any problem is reported with its row and column and
nothing at all is imported."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accueil.factories import ProgramFactory, RegionFactory, UserFactory
from accueil.matching.tests.factories import waiting_household
from accueil.surveys import importing
from accueil.surveys.models import Administration, AdminStatus, Answer, Instrument, Mode, Phase
from accueil.volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

ITEMS = ",".join(f"item_{n}" for n in range(1, 11))
HEADER = f"household_id,phase,date,language,{ITEMS}"


@pytest.fixture
def program(personas):
    program = ProgramFactory(name="Welcome Groups Toronto")
    personas.coordinator.programs.add(program)
    return program


@pytest.fixture
def households(program):
    region = RegionFactory(name="Toronto")
    return [waiting_household(program, region, languages=["ar"]) for _ in range(3)]


@pytest.fixture
def sps10():
    return Instrument.objects.current().get(slug="sps-10")


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def _row(household, *, phase="pre", on="2026-03-14", language="ar", answers=None) -> str:
    values = answers if answers is not None else ["3"] * 10
    return ",".join([str(household.pk), phase, on, language, *values])


def _errors(data: bytes, instrument, program, by) -> list[tuple[int, str, str]]:
    _rows, errors = importing.responses_check(
        data=data, instrument=instrument, program=program, by=by
    )
    return [(e.row, e.column, e.message) for e in errors]


def test_a_valid_file_becomes_one_scored_administration_per_row(
    personas, program, households, sps10
):
    first, second, third = households
    data = "\ufeff".encode() + _csv(  # a spreadsheet's "CSV UTF-8" starts with a byte-order mark
        _row(first),
        _row(second, phase="post", language="", answers=["4"] * 8 + ["", ""]),
        _row(third, language="fr", answers=["1", "2", "", "", "", "", "", "", "", ""]),
        "",  # a blank last line
    )

    created = importing.responses_import(
        data=data, instrument=sps10, program=program, by=personas.coordinator
    )

    assert len(created) == 3
    by_household = {a.household_id: a for a in Administration.objects.all()}
    one = by_household[first.pk]
    assert one.status == AdminStatus.SUBMITTED and one.mode == Mode.IMPORT
    assert one.phase == Phase.PRE and one.language == "ar"
    assert timezone.localtime(one.submitted_at).date() == date(2026, 3, 14)
    assert one.interviewer == personas.coordinator
    assert one.responses.get().scores["total"] == 30
    two = by_household[second.pk]
    assert two.phase == Phase.POST and two.language == "ar"  # blank: the household's language
    assert two.responses.get().scores["total"] == 40  # 8 of 10 answered, prorated
    three = by_household[third.pk]
    assert three.language == "fr"
    assert three.responses.get().scores["total"] is None  # too few answers
    assert Answer.objects.filter(response__administration=three).count() == 2


def test_semicolons_from_a_french_spreadsheet_are_read_too(personas, program, households, sps10):
    data = _csv(_row(households[0]).replace(",", ";"), header=HEADER.replace(",", ";"))
    created = importing.responses_import(
        data=data, instrument=sps10, program=program, by=personas.coordinator
    )
    assert len(created) == 1


def test_each_problem_names_its_row_and_column_and_nothing_is_imported(
    personas, program, households, sps10
):
    region = households[0].region
    first, second, *more = [*households, *(waiting_household(program, region) for _ in range(6))]
    outsider = waiting_household(ProgramFactory(name="Elsewhere"), RegionFactory(name="Peel"))
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = _csv(
        _row(first),  # row 2: fine
        _row(second, answers=["3", "7", *["3"] * 8]),  # row 3: outside the 1-4 scale
        _row(outsider),  # row 4: another program's household
        _row(more[0], phase="during"),  # row 5
        _row(more[1], on="14/03/2026"),  # row 6
        _row(more[2], on=tomorrow),  # row 7
        _row(more[3], language="de"),  # row 8
        _row(first),  # row 9: the same household and phase as row 2
        _row(more[4], answers=["x", *["3"] * 9]),  # row 10
        ",pre,2026-03-14,ar," + ",".join(["3"] * 10),  # row 11: nobody
    )

    errors = _errors(data, sps10, program, personas.coordinator)

    assert [(row, column) for row, column, _message in errors] == [
        (3, "item_2"),
        (4, "household_id"),
        (5, "phase"),
        (6, "date"),
        (7, "date"),
        (8, "language"),
        (9, "household_id"),
        (10, "item_1"),
        (11, "household_id"),
    ]
    messages = {(row, column): message for row, column, message in errors}
    assert messages[(3, "item_2")] == "7 is not one of this question's answers (1-4)."
    assert messages[(4, "household_id")] == (
        f"There is no household {outsider.pk} in Welcome Groups Toronto."
    )
    assert messages[(5, "phase")] == "Write pre or post, not “during”."
    assert messages[(9, "household_id")] == "The same respondent and phase are already on row 2."
    with pytest.raises(importing.ImportRefused) as refused:
        importing.responses_import(
            data=data, instrument=sps10, program=program, by=personas.coordinator
        )
    assert len(refused.value.errors) == 9
    assert not Administration.objects.exists()


def test_a_wrong_header_is_reported_before_any_row(personas, program, households, sps10):
    header = "household_id,phase,date," + ",".join(f"item_{n}" for n in range(1, 10)) + ",item_11"
    errors = _errors(_csv(_row(households[0]), header=header), sps10, program, personas.coordinator)
    assert errors == [
        (1, "item_10", "The column item_10 is missing."),
        (1, "item_11", "The column item_11 is not one of this questionnaire's columns."),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty: it needs a header row."),
        (HEADER.encode() + b"\n", "The file has no rows of answers."),
        ("household_id,phase\n1,pré\n".encode("latin-1"), 'save it as "CSV UTF-8"'),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_files_that_cannot_be_read_say_why(personas, program, sps10, data, message):
    errors = _errors(data, sps10, program, personas.coordinator)
    assert len(errors) == 1 and message in errors[0][2]


def test_volunteers_are_found_by_email_whatever_the_capitals(personas, program):
    volunteer = VolunteerFactory(
        approved=True, program=program, user=UserFactory(email="daniel.okafor@example.org")
    )
    VolunteerFactory(approved=True, user=UserFactory(email="other@example.org"))
    instrument = Instrument.objects.current().get(slug="volunteer-prepost")
    items = ",".join(f"item_{item.number}" for item in instrument.spec.items)
    blank = ",".join("" for _item in instrument.spec.items)
    header = f"household_id,volunteer_email,phase,date,language,{items}"
    data = _csv(
        f",Daniel.Okafor@Example.org,post,2026-01-31,en,{blank}",
        f",other@example.org,post,2026-01-31,en,{blank}",  # another program's volunteer
        f"12,,post,2026-01-31,en,{blank}",
        f",,post,2026-01-31,en,{blank}",
        f"12,daniel.okafor@example.org,pre,2026-01-31,en,{blank}",
        header=header,
    )

    errors = _errors(data, instrument, program, personas.coordinator)

    assert errors == [
        (
            3,
            "volunteer_email",
            "There is no volunteer with the email other@example.org in Welcome Groups Toronto.",
        ),
        (4, "household_id", "This questionnaire is for volunteers only."),
        (5, "household_id", "Fill in the household_id or the volunteer_email."),
        (6, "household_id", "Fill in household_id or volunteer_email, not both."),
    ]
    good = _csv(f",Daniel.Okafor@Example.org,post,2026-01-31,en,{blank}", header=header)
    (created,) = importing.responses_import(
        data=good, instrument=instrument, program=program, by=personas.coordinator
    )
    assert created.person == volunteer.user
    assert created.mode == Mode.IMPORT


def test_a_household_questionnaire_refuses_volunteer_rows(personas, program, households, sps10):
    VolunteerFactory(approved=True, program=program, user=UserFactory(email="v@example.org"))
    data = _csv(
        "," + "v@example.org,pre,2026-03-14,en," + ",".join(["3"] * 10),
        header=f"household_id,volunteer_email,phase,date,language,{ITEMS}",
    )
    errors = _errors(data, sps10, program, personas.coordinator)
    assert errors == [(2, "volunteer_email", "This questionnaire is for households only.")]


def test_the_same_file_twice_is_refused_the_second_time(personas, program, households, sps10):
    data = _csv(_row(households[0]))
    importing.responses_import(
        data=data, instrument=sps10, program=program, by=personas.coordinator
    )

    errors = _errors(data, sps10, program, personas.coordinator)

    assert errors == [
        (
            2,
            "household_id",
            "This respondent's answers to this questionnaire for this phase are already recorded.",
        )
    ]


def test_a_coordinator_cannot_import_into_another_program(personas, households, sps10):
    from django.core.exceptions import PermissionDenied

    other = ProgramFactory(name="Not theirs")
    with pytest.raises(PermissionDenied):
        importing.responses_import(
            data=_csv(_row(households[0])), instrument=sps10, program=other, by=personas.coordinator
        )


# The page.


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("answers.csv", data, content_type="text/csv")


def test_the_page_imports_a_valid_file_and_says_how_many(personas, program, households):
    client = personas.client_for("coordinator")
    data = _csv(_row(households[0]), _row(households[1]))

    response = client.post(
        "/surveys/import/",
        {"instrument": "sps-10", "program": program.pk, "file": _upload(data)},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/surveys/"
    assert "2 surveys imported." in response.content.decode()
    assert Administration.objects.filter(mode=Mode.IMPORT).count() == 2


def test_the_page_lists_every_problem_and_imports_nothing(personas, program, households):
    client = personas.client_for("coordinator")
    data = _csv(_row(households[0], phase="later"), _row(households[1], on="yesterday"))

    response = client.post(
        "/surveys/import/", {"instrument": "sps-10", "program": program.pk, "file": _upload(data)}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The file has 2 problems. Nothing was imported." in html
    assert '<td class="num">2</td><td><code>phase</code></td>' in html
    assert '<td class="num">3</td><td><code>date</code></td>' in html
    assert "item_10" in html  # the expected header is shown
    assert not Administration.objects.exists()


def test_the_page_asks_for_what_is_missing(personas, program):
    response = personas.client_for("coordinator").post("/surveys/import/", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the questionnaire the file holds answers to." in html
    assert "Choose the program the respondents belong to." in html
    assert "Choose a CSV file to import." in html


def test_a_household_id_in_superscript_digits_is_reported_not_a_crash(
    personas, program, households, sps10
):
    value = "²"
    # "²".isdigit() is True but int("²") raises.
    line = ",".join([value, "pre", "2026-03-14", "ar", *["3"] * 10])
    errors = _errors(_csv(line), sps10, program, personas.coordinator)
    assert errors == [(2, "household_id", f"“{value}” is not a household number.")]


def test_a_household_id_too_large_for_the_database_is_reported_not_a_crash(
    personas, program, households, sps10
):
    value = "9" * 30
    line = ",".join([value, "pre", "2026-03-14", "ar", *["3"] * 10])
    errors = _errors(_csv(line), sps10, program, personas.coordinator)
    assert errors == [
        (2, "household_id", f"There is no household {value} in Welcome Groups Toronto.")
    ]
