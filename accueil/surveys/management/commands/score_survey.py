"""Score a CSV of answers with a shipped instrument, exactly as the survey pages score them.

    manage.py score_survey --instrument sps-24 answers.csv > scores.csv
    manage.py score_survey --instrument sps-10 - < answers.csv

Input: a header ``respondent_id,item_1,...,item_N`` with one column per scored item, named by
the instrument's own item numbers (in ``sps-10``, ``item_2`` is the form's second item, which
is SPS-24 item 5). Cells hold the scale's values; a blank cell is a missing answer. Output:
``respondent_id``, each subscale, then the total, blank where there are too few answers.

Nothing is written unless every row is valid: the error lists each bad cell by data row
(1 = the first row after the header) and column, so a file can be fixed in one pass.
"""

from __future__ import annotations

import csv
import io
import sys

from django.core.management.base import BaseCommand, CommandError

from accueil.surveys.definitions import Instrument, UnknownInstrument, shipped_by_slug
from accueil.surveys.scoring import format_score, score

MAX_ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Score a CSV file of survey answers (respondent_id,item_1,...) with a shipped instrument."
    )

    def add_arguments(self, parser):
        parser.add_argument("--instrument", required=True, help="slug, e.g. sps-24, sps-10, ucla-3")
        parser.add_argument("file", help="CSV file, or - for standard input")

    def handle(self, *args, instrument: str, file: str, **options):
        try:
            spec = shipped_by_slug(instrument)
        except UnknownInstrument as error:
            raise CommandError(str(error.args[0])) from None
        rows = _read_rows(file)
        if not rows:
            raise CommandError(f"{file}: empty file, expected a header row")
        columns = _check_header(spec, rows[0])

        results, errors = [], []
        for number, row in enumerate(rows[1:], start=1):
            if not any(cell.strip() for cell in row):
                continue  # a blank line, often the last one of a spreadsheet export
            if len(row) != len(rows[0]):
                errors.append(f"row {number}: {len(row)} cells where the header has {len(rows[0])}")
                continue
            answers, row_errors = _parse_answers(spec, columns, row, number)
            if row_errors:
                errors.extend(row_errors)
                continue
            results.append((row[columns["respondent_id"]].strip(), score(spec, answers)))
        if errors:
            shown = errors[:MAX_ERRORS_SHOWN]
            if len(errors) > len(shown):
                shown.append(f"... and {len(errors) - len(shown)} more")
            raise CommandError("\n".join(shown))

        writer = csv.writer(self.stdout, lineterminator="\n")
        header = ["respondent_id", *(subscale.key for subscale in spec.subscales)]
        if spec.total is not None:
            header.append("total")
        writer.writerow(header)
        for respondent, result in results:
            cells = [respondent, *(format_score(result.subscales[s.key]) for s in spec.subscales)]
            if spec.total is not None:
                cells.append(format_score(result.total))
            writer.writerow(cells)


def _read_rows(file: str) -> list[list[str]]:
    try:
        if file == "-":
            raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        else:
            with open(file, "rb") as handle:
                raw = handle.read()
    except OSError as error:
        raise CommandError(f"cannot read {file}: {error.strerror or error}") from None
    if isinstance(raw, bytes):
        try:
            # utf-8-sig drops the byte order mark Excel puts before "respondent_id".
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{file} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8"
            ) from None
    else:
        raw = raw.removeprefix("\ufeff")
    try:
        return list(csv.reader(io.StringIO(raw, newline="")))
    except csv.Error as error:
        raise CommandError(f"{file} is not a readable CSV file: {error}") from None


def _column(item_number: int) -> str:
    return f"item_{item_number}"


def _check_header(spec: Instrument, header: list[str]) -> dict[str, int]:
    names = [name.strip() for name in header]
    expected = ["respondent_id", *(_column(item.number) for item in spec.scored_items)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in expected if name not in names]
    extra = [name for name in names if name not in expected]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s): {', '.join(repr(name) for name in extra)}")
    if duplicates:
        problems.append(f"repeated column(s): {', '.join(duplicates)}")
    if problems:
        hint = ""
        if len(names) == 1 and ";" in names[0]:
            hint = " (the file seems to use ';' between cells; export it with commas)"
        raise CommandError(
            f"header: {'; '.join(problems)}{hint}. {spec.slug} expects: {','.join(expected)}"
        )
    return {name: position for position, name in enumerate(names)}


def _parse_answers(spec, columns, row, number) -> tuple[dict[int, int | None], list[str]]:
    answers: dict[int, int | None] = {}
    errors = []
    for item in spec.scored_items:
        cell = row[columns[_column(item.number)]].strip()
        if not cell:
            answers[item.number] = None
            continue
        scale = spec.scale_of(item)
        try:
            value = int(cell)
        except ValueError:
            errors.append(
                f"row {number}, {_column(item.number)}: {cell!r} is not a whole number "
                f"(allowed answers: {scale.describe_values()})"
            )
            continue
        if value not in scale.values:
            errors.append(_cell_error(spec, number, item.number, value))
        answers[item.number] = value
    return answers, errors


def _cell_error(spec: Instrument, row: int, item_number: int, value) -> str:
    scale = spec.scale_of(item_number)
    return (
        f"row {row}, {_column(item_number)}: {value} is not an allowed answer "
        f"({scale.describe_values()})"
    )
