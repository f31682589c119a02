"""Importing answers collected elsewhere (paper forms typed into a spreadsheet, another tool) from
a CSV file: one row per respondent, for one instrument and one program.

The columns: ``household_id`` or ``volunteer_email`` (one of them filled on each row),
``phase`` (pre or post), ``date`` (YYYY-MM-DD, the day the answers were given), ``language``
(optional: the respondent's language when blank) and ``item_1`` .. ``item_N`` in the
instrument's order, a blank cell being a missing answer. The whole file is checked first and
every problem is reported with its row (as a spreadsheet numbers it: the header is row 1) and
column; only a file without any problem is imported, in one transaction, each row becoming one
administration collected in "import" mode and scored like any other.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accueil.accounts.models import User
from accueil.newcomers.models import Household
from accueil.volunteers.models import Volunteer

from .models import Administration, AdminStatus, Audience, Mode, Phase, Response
from .selectors import programs_for
from .services import administration_enter, administration_schedule

MAX_BYTES = 2 * 1024 * 1024
HOUSEHOLD = "household_id"
VOLUNTEER = "volunteer_email"
FIXED = (HOUSEHOLD, VOLUNTEER, "phase", "date", "language")
# The largest id a (big integer) primary key holds: a larger number would overflow the query.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class RowError:
    row: int  # 1 is the header; 0 the file as a whole
    column: str
    message: str


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors


@dataclass
class Row:
    number: int
    phase: str
    on: date
    language: str
    household: Household | None = None
    person: object | None = None
    answers: dict[int, int | str] = field(default_factory=dict)


def item_column(number: int) -> str:
    return f"item_{number}"


def _household_number(value: str) -> int | None:
    """The household id in a cell, or None. Not ``isdigit()`` alone: "²" is a digit to it but
    not to ``int()``."""
    if not value.isdigit():
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _read(data: bytes) -> tuple[list[str], list[list[str]]]:
    if len(data) > MAX_BYTES:
        raise ImportRefused([RowError(0, "", _("The file is larger than 2 MB: split it."))])
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        raise ImportRefused(
            [RowError(0, "", _('The file is not UTF-8 text: save it as "CSV UTF-8".'))]
        ) from None
    lines = text.splitlines()
    header = lines[0] if lines else ""
    # Spreadsheets set to French write semicolons between cells.
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportRefused(
            [RowError(0, "", _("The file cannot be read as CSV (%(error)s).") % {"error": exc})]
        ) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportRefused([RowError(1, "", _("The file is empty: it needs a header row."))])
    header = [cell.strip().lower() for cell in rows[0]]
    return header, rows[1:]


def _check_header(header: list[str], spec) -> list[RowError]:
    errors = []
    expected = [item_column(item.number) for item in spec.items]
    for name in ("phase", "date"):
        if name not in header:
            errors.append(RowError(1, name, _("The column %(name)s is missing.") % {"name": name}))
    if HOUSEHOLD not in header and VOLUNTEER not in header:
        errors.append(
            RowError(
                1,
                HOUSEHOLD,
                _("The file needs a household_id or a volunteer_email column."),
            )
        )
    for name in expected:
        if name not in header:
            errors.append(RowError(1, name, _("The column %(name)s is missing.") % {"name": name}))
    known = set(FIXED) | set(expected)
    for name in header:
        if name and name not in known:
            errors.append(
                RowError(
                    1,
                    name,
                    _("The column %(name)s is not one of this questionnaire's columns.")
                    % {"name": name},
                )
            )
    seen = set()
    for name in header:
        if name and name in seen:
            errors.append(
                RowError(1, name, _("The column %(name)s appears twice.") % {"name": name})
            )
        seen.add(name)
    return errors


def _value(spec, item, raw: str, number: int, errors: list[RowError]):
    column = item_column(item.number)
    if item.kind == "text":
        return raw[:2000]
    try:
        value = int(raw)
    except ValueError:
        errors.append(RowError(number, column, _("“%(value)s” is not a number.") % {"value": raw}))
        return None
    if item.kind == "choice":
        scale = spec.scale_of(item)
        if value not in scale.values:
            errors.append(
                RowError(
                    number,
                    column,
                    _("%(value)s is not one of this question's answers (%(allowed)s).")
                    % {"value": value, "allowed": scale.describe_values()},
                )
            )
            return None
    return value


def responses_check(*, data: bytes, instrument, program, by) -> tuple[list[Row], list[RowError]]:
    """Read and check the whole file without writing anything: the rows ready to import, and
    every problem found (an empty list when the file can be imported)."""
    spec = instrument.spec
    try:
        header, raw_rows = _read(data)
    except ImportRefused as refused:
        return [], refused.errors
    errors = _check_header(header, spec)
    if errors:
        return [], errors
    records = []
    for offset, cells in enumerate(raw_rows):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (often the last one)
        number = offset + 2
        if len(cells) > len(header):
            errors.append(
                RowError(number, "", _("This row has more cells than the header has columns."))
            )
            continue
        cells = cells + [""] * (len(header) - len(cells))
        records.append((number, {name: cells[k].strip() for k, name in enumerate(header)}))
    if not records and not errors:
        return [], [RowError(2, "", _("The file has no rows of answers."))]

    # The respondents named in the file, fetched in two queries.
    household_ids = {
        found
        for _number, record in records
        if (found := _household_number(record.get(HOUSEHOLD, ""))) is not None and found <= MAX_ID
    }
    households = {
        h.pk: h
        for h in Household.objects.visible_to(by).filter(program=program, pk__in=household_ids)
    }
    emails = {record[VOLUNTEER].lower() for _number, record in records if record.get(VOLUNTEER)}
    volunteers = {}
    if emails:
        # Matched without regard to capitals, as people type addresses.
        for email, user in (
            Volunteer.objects.visible_to(by)
            .filter(program=program)
            .values_list("user__email", "user")
        ):
            if email.lower() in emails:
                volunteers[email.lower()] = user
        users = {u.pk: u for u in User.objects.filter(pk__in=volunteers.values())}
        volunteers = {email: users[pk] for email, pk in volunteers.items()}

    languages = set(spec.languages)
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for number, record in records:
        row_errors: list[RowError] = []
        household = person = None
        household_value = record.get(HOUSEHOLD, "")
        email = record.get(VOLUNTEER, "")
        if household_value and email:
            row_errors.append(
                RowError(
                    number,
                    HOUSEHOLD,
                    _("Fill in household_id or volunteer_email, not both."),
                )
            )
        elif household_value:
            column = HOUSEHOLD
            if spec.audience == Audience.VOLUNTEER:
                row_errors.append(
                    RowError(number, column, _("This questionnaire is for volunteers only."))
                )
            elif _household_number(household_value) is None:
                row_errors.append(
                    RowError(
                        number,
                        column,
                        _("“%(value)s” is not a household number.") % {"value": household_value},
                    )
                )
            else:
                household = households.get(_household_number(household_value))
                if household is None:
                    row_errors.append(
                        RowError(
                            number,
                            column,
                            _("There is no household %(ref)s in %(program)s.")
                            % {"ref": household_value, "program": program.name},
                        )
                    )
        elif email:
            column = VOLUNTEER
            if spec.audience == Audience.HOUSEHOLD:
                row_errors.append(
                    RowError(number, column, _("This questionnaire is for households only."))
                )
            else:
                person = volunteers.get(email.lower())
                if person is None:
                    row_errors.append(
                        RowError(
                            number,
                            column,
                            _("There is no volunteer with the email %(email)s in %(program)s.")
                            % {"email": email, "program": program.name},
                        )
                    )
        else:
            row_errors.append(
                RowError(number, HOUSEHOLD, _("Fill in the household_id or the volunteer_email."))
            )

        phase = record.get("phase", "").lower()
        if phase not in Phase.values:
            row_errors.append(
                RowError(
                    number,
                    "phase",
                    _("Write pre or post, not “%(value)s”.") % {"value": record.get("phase", "")}
                    if phase
                    else _("Write pre or post."),
                )
            )
        on = None
        try:
            on = date.fromisoformat(record.get("date", ""))
        except ValueError:
            row_errors.append(
                RowError(
                    number,
                    "date",
                    _("Write the date as YYYY-MM-DD, for example 2026-03-14, not “%(value)s”.")
                    % {"value": record.get("date", "")},
                )
            )
        else:
            if on > timezone.localdate():
                row_errors.append(RowError(number, "date", _("The date is in the future.")))

        language = record.get("language", "").lower()
        if language and language not in languages:
            row_errors.append(
                RowError(
                    number,
                    "language",
                    _("“%(value)s” is not a language of this questionnaire (%(languages)s).")
                    % {"value": record.get("language", ""), "languages": ", ".join(spec.languages)},
                )
            )

        answers = {}
        for item in spec.items:
            raw = record.get(item_column(item.number), "")
            if raw:
                value = _value(spec, item, raw, number, row_errors)
                if value is not None:
                    answers[item.number] = value

        respondent = (
            ("household", household.pk)
            if household is not None
            else ("person", person.pk)
            if person is not None
            else None
        )
        if respondent is not None and phase in Phase.values:
            first = seen.get((respondent, phase))
            if first is not None:
                row_errors.append(
                    RowError(
                        number,
                        HOUSEHOLD if household is not None else VOLUNTEER,
                        _("The same respondent and phase are already on row %(row)s.")
                        % {"row": first},
                    )
                )
            else:
                seen[(respondent, phase)] = number

        errors.extend(row_errors)
        if not row_errors:
            rows.append(
                Row(
                    number=number,
                    phase=phase,
                    on=on,
                    language=language,
                    household=household,
                    person=person,
                    answers=answers,
                )
            )
    if not errors:
        errors = _already_imported(rows, instrument=instrument, program=program)
    return rows, errors


def _already_imported(rows: list[Row], *, instrument, program) -> list[RowError]:
    """A respondent whose answers to this questionnaire at this phase are already in: the same
    file imported twice would otherwise count everyone twice."""
    done = set(
        Administration.objects.filter(
            program=program,
            status=AdminStatus.SUBMITTED,
            responses__instrument__slug=instrument.slug,
        ).values_list("household_id", "person_id", "phase")
    )
    errors = []
    for row in rows:
        key = (
            row.household.pk if row.household else None,
            row.person.pk if row.person else None,
            row.phase,
        )
        if key in done:
            errors.append(
                RowError(
                    row.number,
                    HOUSEHOLD if row.household else VOLUNTEER,
                    _(
                        "This respondent's answers to this questionnaire for this phase are already recorded."
                    ),
                )
            )
    return errors


@transaction.atomic
def responses_import(*, data: bytes, instrument, program, by) -> list[Administration]:
    """Check the file, then create one completed administration per row, or nothing at all:
    raises ``ImportRefused`` with every problem found."""
    if not by.has_perm("surveys.administer") or not programs_for(by).filter(pk=program.pk).exists():
        raise PermissionDenied
    rows, errors = responses_check(data=data, instrument=instrument, program=program, by=by)
    if errors:
        raise ImportRefused(errors)
    created = []
    for row in rows:
        administration = administration_schedule(
            program=program,
            phase=row.phase,
            household=row.household,
            person=row.person,
            by=by,
            automatic=False,
            instruments=[instrument.slug],
        )
        response = (
            Response.objects.filter(administration=administration).first()
            if administration is not None
            else None
        )
        if response is None or response.instrument_id != instrument.pk:
            # The instrument was replaced by a new version since the form was shown.
            raise ImportRefused(
                [RowError(0, "", _("This questionnaire has a new version: choose it again."))]
            )
        # The answers were given on the row's date, not today: the report pairs surveys by
        # when they were answered.
        given = timezone.make_aware(datetime.combine(row.on, time(12, 0)))
        try:
            administration = administration_enter(
                administration,
                by=by,
                answers={response.pk: row.answers},
                mode=Mode.IMPORT,
                language=row.language or administration.language,
                submitted_at=given,
            )
        except ValidationError as exc:
            raise ImportRefused([RowError(row.number, "", " ".join(exc.messages))]) from None
        created.append(administration)
    return created
