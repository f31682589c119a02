"""Checking uploaded documents (police checks and the like) before anything is stored.

The type is read from the file's first bytes, never from its name or from the Content-Type the
browser sent: both are chosen by the uploader. Only PDF, JPEG and PNG pass. Pictures are decoded
and written again by Pillow, which drops what a phone camera hides in them (EXIF with GPS
position and device, XMP, ICC profiles, text chunks) and anything appended after the image.

PDFs are stored as they are: there is no safe way to rewrite one without a PDF library, so they
are only ever served as downloads (``Content-Disposition: attachment``, ``nosniff``), never shown
inline by the browser.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}

# Programs and scripts that people (or malware) rename to "check.pdf".
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows .exe, .dll
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O (macOS), 32 and 64 bits, both byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary (also Java classes)
    b"#!",  # shell and other scripts
)


@dataclass(frozen=True)
class CleanDocument:
    """A document that passed the checks: the bytes to store and what they are."""

    content: bytes
    content_type: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> str | None:
    """The content type announced by the first bytes, or None for anything else."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def is_executable(head: bytes) -> bool:
    return head.startswith(_EXECUTABLE_MAGIC)


def _too_big() -> ValidationError:
    return ValidationError(
        _("The file is too big. Send a file smaller than %(size)s.")
        % {"size": filesizeformat(max_bytes())},
        code="too_big",
    )


def _read(uploaded) -> bytes:
    """Read at most one byte more than the limit, whatever size the upload claims."""
    limit = max_bytes()
    if getattr(uploaded, "size", None) is not None and uploaded.size > limit:
        raise _too_big()
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise _too_big()
    return content


def _reencode(content: bytes, content_type: str) -> bytes:
    """Decode the picture and write a fresh file with pixels only: no metadata survives."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    unreadable = ValidationError(
        _("This picture could not be opened. Take the photo or scan again and send the new file."),
        code="unreadable",
    )
    try:
        with warnings.catch_warnings():
            # A "decompression bomb" (a small file that unpacks to billions of pixels) is refused
            # rather than decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                probe.verify()  # checks structure; the image cannot be used afterwards
            with Image.open(io.BytesIO(content)) as image:
                if image.format != ("JPEG" if content_type == JPEG else "PNG"):
                    raise unreadable
                image.load()
                # Phones store "rotate me" in EXIF: apply it to the pixels before EXIF goes.
                image = ImageOps.exif_transpose(image)
                # Pillow carries some of ``info`` into the new file (PNG keeps the ICC profile):
                # keep only transparency, which is part of the picture.
                image.info = {
                    key: value for key, value in image.info.items() if key == "transparency"
                }
                out = io.BytesIO()
                if content_type == JPEG:
                    if image.mode not in ("RGB", "L", "CMYK"):
                        image = image.convert("RGB")
                    image.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
                        image = image.convert("RGBA")
                    image.save(out, format="PNG", optimize=True)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise unreadable from None
    return out.getvalue()


def validate_upload(uploaded) -> CleanDocument:
    """Check an uploaded file and return what may be stored, or raise a translated
    ValidationError that tells the person what to do instead."""
    content = _read(uploaded)
    if not content:
        raise ValidationError(_("The file is empty. Choose the file again."), code="empty")
    head = content[:16]
    if is_executable(head):
        raise ValidationError(
            _(
                "This file is a program, not a document, even if its name ends in .pdf, "
                ".jpg or .png. Send a PDF file or a photo (JPEG or PNG) of the document."
            ),
            code="executable",
        )
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            _("This kind of file cannot be used. Send a PDF file or a photo (JPEG or PNG)."),
            code="type",
        )
    if content_type in (JPEG, PNG):
        content = _reencode(content, content_type)
        if len(content) > max_bytes():
            raise _too_big()
    name = str(getattr(uploaded, "name", "") or "")[:200]
    return CleanDocument(content=content, content_type=content_type, original_name=name)
