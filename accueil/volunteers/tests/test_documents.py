"""Private documents: type sniffed from content, metadata stripped, size limit, served only
through the permission-checked view."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from accueil.conftest import assert_personas
from accueil.core.models import AuditEntry
from accueil.volunteers import documents
from accueil.volunteers.models import Document, StepStatus, StepType
from accueil.volunteers.services import screening as services

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def pdf_bytes() -> bytes:
    """A small but complete PDF: one empty page, with a cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (43.0, 39.0, 12.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), icc_profile=b"ICC-PROFILE" * 8)
    return out.getvalue()


def png_with_text() -> bytes:
    image = Image.new("RGBA", (16, 16), (0, 120, 200, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Sam Rivera, 12 Home Street")
    info.add_itxt("XML:com.adobe.xmp", "<x:gps>43.65,-79.38</x:gps>")
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, icc_profile=b"ICC-PROFILE" * 8)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# -- the checks ----------------------------------------------------------------------------


def test_it_accepts_a_pdf_whatever_its_name_and_declared_type():
    clean = documents.validate_upload(upload("scan.bin", pdf_bytes(), "application/octet-stream"))
    assert clean.content_type == "application/pdf"
    assert clean.content == pdf_bytes()  # PDFs are stored as they are


def test_it_strips_exif_from_a_jpeg_and_keeps_its_orientation():
    original = jpeg_with_exif()
    assert b"SecretPhoneMaker" in original
    clean = documents.validate_upload(upload("photo.jpg", original, "image/jpeg"))
    assert clean.content_type == "image/jpeg"
    assert b"SecretPhoneMaker" not in clean.content
    assert b"ICC-PROFILE" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert len(image.getexif()) == 0
        assert "icc_profile" not in image.info
        assert image.size == (20, 40)  # the rotation was applied to the pixels


def test_it_strips_text_and_colour_profiles_from_a_png():
    clean = documents.validate_upload(upload("check.png", png_with_text(), "image/png"))
    assert clean.content_type == "image/png"
    with Image.open(io.BytesIO(clean.content)) as image:
        image.load()
        assert not {"Author", "XML:com.adobe.xmp", "icc_profile", "xmp"} & set(image.info)
    assert b"Home Street" not in clean.content


def test_it_reads_the_type_from_the_content_not_the_name():
    clean = documents.validate_upload(upload("check.pdf", png_with_text(), "application/pdf"))
    assert clean.content_type == "image/png"
    assert clean.extension == "png"


@pytest.mark.parametrize(
    "header",
    [
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56,  # Linux program
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50,  # Windows program
        b"#!/bin/sh\nrm -rf ~\n",
    ],
)
def test_it_refuses_a_program_renamed_to_pdf_with_a_clear_message(header):
    with pytest.raises(ValidationError) as error:
        documents.validate_upload(upload("check.pdf", header, "application/pdf"))
    assert error.value.code == "executable"
    assert "is a program, not a document" in error.value.messages[0]


def test_it_refuses_other_kinds_of_files():
    for content in (b"GIF89a\x01\x00\x01\x00", b"Just some text", b"PK\x03\x04zipzip"):
        with pytest.raises(ValidationError) as error:
            documents.validate_upload(upload("check.pdf", content))
        assert error.value.code == "type"


def test_it_refuses_a_broken_picture():
    with pytest.raises(ValidationError) as error:
        documents.validate_upload(upload("photo.jpg", b"\xff\xd8\xff\xe0broken", "image/jpeg"))
    assert error.value.code == "unreadable"


def test_it_refuses_an_empty_file():
    with pytest.raises(ValidationError) as error:
        documents.validate_upload(upload("empty.pdf", b""))
    assert error.value.code == "empty"


def test_it_refuses_a_file_over_the_size_limit(settings):
    assert documents.max_bytes() == 10 * 1024 * 1024
    settings.DOCUMENT_MAX_BYTES = 500
    big = pdf_bytes() + b"%" + b"x" * 600
    with pytest.raises(ValidationError) as error:
        documents.validate_upload(upload("big.pdf", big))
    assert error.value.code == "too_big"
    assert "too big" in error.value.messages[0]


# -- storing and serving -------------------------------------------------------------------


@pytest.fixture
def volunteer(personas):
    volunteer = VolunteerFactory(user=personas.volunteer)
    personas.coordinator.programs.add(volunteer.program)
    services.screening_start(volunteer=volunteer, by=personas.coordinator)
    return volunteer


def staff_upload(personas, volunteer, content, name="check.pdf", **dates):
    url = reverse("volunteer_step", args=[volunteer.pk, StepType.POLICE_CHECK])
    data = {"action": "record", "record-document": upload(name, content)}
    data.update({f"record-{k}": v for k, v in dates.items()})
    return personas.client_for("coordinator").post(url, data)


def test_it_stores_an_uploaded_check_under_a_random_name(personas, volunteer, private_media):
    response = staff_upload(
        personas, volunteer, pdf_bytes(), name="Sam-Rivera-police.pdf", issued_on="2025-05-01"
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert "Sam" not in document.file.name and "police" not in document.file.name
    assert (private_media / document.file.name).read_bytes() == pdf_bytes()
    assert document.original_name == "Sam-Rivera-police.pdf"
    assert document.expires_on == date(2028, 5, 1)
    step = volunteer.steps.get(step_type=StepType.POLICE_CHECK)
    assert step.status == StepStatus.DONE
    assert AuditEntry.objects.filter(code="volunteer.document_uploaded").count() == 1


def test_it_shows_a_clear_error_for_a_renamed_program_and_keeps_the_dates(personas, volunteer):
    response = staff_upload(
        personas, volunteer, b"MZ\x90\x00" + b"\x00" * 60, issued_on="2025-05-01"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This file is a program, not a document" in html
    assert "There is a problem" in html
    assert 'value="2025-05-01"' in html
    assert not Document.objects.exists()


def test_it_serves_a_document_only_as_a_private_download(personas, volunteer):
    staff_upload(personas, volunteer, pdf_bytes(), issued_on="2025-05-01")
    document = Document.objects.get()
    response = personas.client_for("coordinator").get(
        reverse("volunteer_document", args=[document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(code="volunteer.document_viewed")
    assert entry.actor == personas.coordinator
    assert entry.object_pk == str(document.pk)


def test_it_lets_staff_of_the_program_and_the_volunteer_download(personas, volunteer):
    staff_upload(personas, volunteer, pdf_bytes(), issued_on="2025-05-01")
    url = reverse("volunteer_document", args=[Document.objects.get().pk])
    assert_personas(personas, url, allowed={"admin", "manager", "coordinator", "volunteer"})
    assert AuditEntry.objects.filter(code="volunteer.document_viewed").count() == 4


def test_it_gives_404_to_a_coordinator_of_another_program(personas, volunteer):
    staff_upload(personas, volunteer, pdf_bytes(), issued_on="2025-05-01")
    personas.coordinator.programs.clear()
    url = reverse("volunteer_document", args=[Document.objects.get().pk])
    assert personas.client_for("coordinator").get(url).status_code == 404


def test_it_cannot_be_fetched_by_guessing_a_url(personas, volunteer, private_media):
    staff_upload(personas, volunteer, pdf_bytes(), issued_on="2025-05-01")
    mine = Document.objects.get()
    other = VolunteerFactory()
    services.screening_start(volunteer=other, by=personas.manager)
    step = other.steps.get(step_type=StepType.POLICE_CHECK)
    services.police_check_record(
        step=step,
        by=personas.manager,
        document=documents.validate_upload(upload("x.pdf", pdf_bytes())),
    )
    theirs = Document.objects.exclude(pk=mine.pk).get()
    client = personas.client_for("volunteer")
    # Another person's document, and documents that do not exist: the same 404.
    assert client.get(reverse("volunteer_document", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("volunteer_document", args=[theirs.pk + 100])).status_code == 404
    # The stored file is not reachable by any URL outside the view.
    admin = personas.client_for("admin")
    for path in (
        f"/media/{mine.file.name}",
        f"/private/{mine.file.name}",
        f"/{mine.file.name}",
        f"/static/{mine.file.name}",
        f"/media/{private_media.name}/{mine.file.name}",
    ):
        assert admin.get(path).status_code == 404, path


def test_it_lets_the_volunteer_send_their_own_check(personas, volunteer):
    url = reverse("volunteer_my_police_check")
    assert_personas(personas, url, allowed={"volunteer"})
    client = personas.client_for("volunteer")
    response = client.post(url, {"document": upload("photo.jpg", jpeg_with_exif(), "image/jpeg")})
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.uploaded_by == personas.volunteer
    assert document.content_type == "image/jpeg"
    with document.file.open("rb") as stored:
        assert b"SecretPhoneMaker" not in stored.read()
    step = volunteer.steps.get(step_type=StepType.POLICE_CHECK)
    assert step.status == StepStatus.IN_PROGRESS  # staff still confirm the date
    # Staff give the date later: the step is done and the document gets the date too.
    services.police_check_record(step=step, by=personas.coordinator, valid_until=date(2030, 1, 1))
    document.refresh_from_db()
    assert document.expires_on == date(2030, 1, 1)


def test_it_refuses_a_renamed_program_from_the_volunteer_with_a_clear_message(personas, volunteer):
    response = personas.client_for("volunteer").post(
        reverse("volunteer_my_police_check"),
        {"document": upload("check.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 40)},
    )
    assert response.status_code == 200
    assert "This file is a program, not a document" in response.content.decode()
    assert not Document.objects.exists()
