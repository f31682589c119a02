"""``manage.py score_survey``: CSV in, scores out, and errors that point at the cell."""

from __future__ import annotations

import io
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accueil.surveys.definitions import shipped_by_slug
from accueil.surveys.management.commands.score_survey import Command

SPS24_HEADER = "respondent_id," + ",".join(f"item_{n}" for n in range(1, 25))
SPS24_OUT = (
    "respondent_id,attachment,social_integration,reassurance_of_worth,reliable_alliance,"
    "guidance,opportunity_for_nurturance,total"
)
SPS10_HEADER = "respondent_id," + ",".join(f"item_{n}" for n in range(1, 11))


def _run(tmp_path, instrument: str, content: str | bytes) -> str:
    path = tmp_path / "answers.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    out = StringIO()
    # An instance rather than the name, so the test does not depend on INSTALLED_APPS.
    call_command(Command(), str(path), instrument=instrument, stdout=out)
    return out.getvalue()


def _error(tmp_path, instrument: str, content: str) -> str:
    with pytest.raises(CommandError) as caught:
        _run(tmp_path, instrument, content)
    return str(caught.value)


def _row(respondent: str, values: dict[int, str], count: int = 24, default: str = "1") -> str:
    return ",".join([respondent, *(values.get(n, default) for n in range(1, count + 1))])


def test_it_scores_the_sps_24(tmp_path):
    content = "\n".join(
        [
            SPS24_HEADER,
            _row("r1", {}),
            # Attachment without item 2: 11 and 17 count 1, 21R counts 5-1=4; (1+1+4)/3 x 4 = 8.
            _row("r2", {2: ""}),
            # Attachment without items 2 and 11: not scored, and so no total.
            _row("r3", {2: "", 11: " "}),
        ]
    )
    assert _run(tmp_path, "sps-24", content + "\n") == (
        f"{SPS24_OUT}\nr1,10,10,10,10,10,10,60\nr2,8,10,10,10,10,10,58\nr3,,10,10,10,10,10,\n"
    )


def test_it_reads_the_sps_10_columns_in_its_own_item_order(tmp_path):
    # item_k is the SPS-10's item k: item_2 is SPS-24 item 5, not SPS-24 item 2. So a header
    # named after SPS-24 numbers is refused, and a bad value in item_2 is reported as item_2.
    sps24_numbers = "respondent_id," + ",".join(
        f"item_{n}" for n in (1, 5, 8, 11, 12, 13, 16, 17, 20, 23)
    )
    message = _error(tmp_path, "sps-10", sps24_numbers + "\nr1,1,1,1,1,1,1,1,1,1,1\n")
    assert "missing column(s): item_2, item_3" in message
    assert "unexpected column(s): 'item_11', 'item_12', 'item_13'" in message

    rows = [
        SPS10_HEADER,
        "r1,4,4,4,4,4,4,4,4,4,4",
        "r2,4,4,4,3,4,3,4,3,,",  # 8 answered: 29 / 8 x 10 = 36.25
        "r3,4,,4,,4,,4,,4,4",  # 7 answered: not scored
    ]
    assert (
        _run(tmp_path, "sps-10", "\n".join(rows)) == "respondent_id,total\nr1,40\nr2,36.25\nr3,\n"
    )
    message = _error(tmp_path, "sps-10", f"{SPS10_HEADER}\nr1,1,5,1,1,1,1,1,1,1,1\n")
    assert message == "row 1, item_2: 5 is not an allowed answer (1-4)"


def test_it_scores_the_sps_10_like_the_matching_sps_24_items(tmp_path):
    # One person's SPS-24 answers, and the same answers written as an SPS-10 row through
    # source.items. SPS-24 items 1,5,8,11,12,13,16,17,20,23 are 4,3,2,4,3,2,4,3,2,1 (sum 28);
    # every other item is 1. Read naively (SPS-10 item_k = SPS-24 item k) the row would be
    # 4,1,1,1,3,1,1,2,1,1 = 16.
    picked = dict(
        zip((1, 5, 8, 11, 12, 13, 16, 17, 20, 23), (4, 3, 2, 4, 3, 2, 4, 3, 2, 1), strict=True)
    )
    sps24 = {n: picked.get(n, 1) for n in range(1, 25)}
    source = shipped_by_slug("sps-10").source.items
    row = ",".join(["p1", *(str(sps24[parent]) for parent in source)])
    assert _run(tmp_path, "sps-10", f"{SPS10_HEADER}\n{row}\n") == "respondent_id,total\np1,28\n"


def test_it_scores_the_ucla_3_and_the_sps_5(tmp_path):
    ucla = "respondent_id,item_1,item_2,item_3\na,3,3,3\nb,1,2,\nc,1,1,2\n"
    assert _run(tmp_path, "ucla-3", ucla) == "respondent_id,total\na,9\nb,\nc,4\n"
    sps5 = "respondent_id,item_1,item_2,item_3,item_4,item_5\na,4,3,2,1,4\nb,4,4,4,4,\n"
    assert _run(tmp_path, "sps-5", sps5) == "respondent_id,total\na,14\nb,\n"


def test_it_accepts_a_byte_order_mark_crlf_and_any_column_order(tmp_path):
    content = "\ufeffitem_3,item_1,respondent_id,item_2\r\n3,3,x,3\r\n\r\n".encode()
    assert _run(tmp_path, "ucla-3", content) == "respondent_id,total\nx,9\n"


def test_it_reads_standard_input(monkeypatch):
    data = b"respondent_id,item_1,item_2,item_3\nx,2,2,2\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    out = StringIO()
    call_command(Command(), "-", instrument="ucla-3", stdout=out)
    assert out.getvalue() == "respondent_id,total\nx,6\n"


def test_it_scores_an_instrument_without_scores_as_a_check(tmp_path):
    content = "respondent_id,item_1,item_2,item_3\nv1,4,3,\n"
    assert _run(tmp_path, "volunteer-prepost", content) == "respondent_id\nv1\n"


# -- errors -------------------------------------------------------------------------------------


def test_it_names_the_row_and_column_of_an_answer_outside_the_scale(tmp_path):
    content = "\n".join([SPS24_HEADER, _row("r1", {}), _row("r2", {5: "7"})])
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        path = tmp_path / "answers.csv"
        path.write_text(content, encoding="utf-8")
        call_command(Command(), str(path), instrument="sps-24", stdout=out)
    assert str(caught.value) == "row 2, item_5: 7 is not an allowed answer (1-4)"
    assert out.getvalue() == ""  # nothing half-written


def test_it_lists_every_bad_cell_at_once(tmp_path):
    content = "\n".join(
        [SPS24_HEADER, _row("r1", {3: "two"}), _row("r2", {}), _row("r3", {24: "0", 1: "4.0"})]
    )
    assert _error(tmp_path, "sps-24", content).splitlines() == [
        "row 1, item_3: 'two' is not a whole number (allowed answers: 1-4)",
        "row 3, item_1: '4.0' is not a whole number (allowed answers: 1-4)",
        "row 3, item_24: 0 is not an allowed answer (1-4)",
    ]


def test_it_refuses_a_row_with_too_few_cells(tmp_path):
    content = "respondent_id,item_1,item_2,item_3\na,1,1,1\nb,1,1\n"
    assert _error(tmp_path, "ucla-3", content) == "row 2: 3 cells where the header has 4"


def test_it_names_missing_and_extra_header_columns(tmp_path):
    header = SPS24_HEADER.replace(",item_24", "") + ",comment"
    message = _error(tmp_path, "sps-24", header + "\n")
    assert "missing column(s): item_24" in message
    assert "unexpected column(s): 'comment'" in message
    assert message.endswith(f"sps-24 expects: {SPS24_HEADER}")


def test_it_hints_at_semicolons(tmp_path):
    message = _error(tmp_path, "ucla-3", "respondent_id;item_1;item_2;item_3\na;1;1;1\n")
    assert "';' between cells" in message


def test_it_lists_the_known_instruments_for_an_unknown_one(tmp_path):
    message = _error(tmp_path, "sps-99", SPS24_HEADER + "\n")
    assert "sps-99" in message and "sps-24" in message and "ucla-3" in message


def test_it_reports_an_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*missing\.csv"):
        call_command(Command(), str(tmp_path / "missing.csv"), instrument="ucla-3")
    with pytest.raises(CommandError, match="not UTF-8"):
        _run(tmp_path, "ucla-3", "respondent_id,item_1,item_2,item_3\ná,1,1,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="empty file"):
        _run(tmp_path, "ucla-3", "")
