"""HTML to PDF with WeasyPrint, offline.

Documents may use the app's static files (a stylesheet, a logo) and nothing else: the URL
fetcher serves files found by the staticfiles finders (or collected under STATIC_ROOT) and
refuses every other URL — http(s), file:, data: — so rendering never touches the network or
reads arbitrary files. Fonts come from the system (fonts-noto-core), not from URLs.

WeasyPrint is imported lazily: it is slow to import, and a server without its system
libraries (Pango) must still run; callers catch ``PdfUnavailable`` and say so.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# Templates are rendered against this origin so that {% static %} paths become absolute URLs
# the fetcher recognises. ".invalid" never resolves (RFC 2606).
BASE_URL = "https://pdf.accueil.invalid/"


class PdfUnavailable(Exception):
    """WeasyPrint (or a system library it needs) is missing on this server."""


def static_path(url: str) -> Path | None:
    """The local file behind a static URL of the document, or None if it is not one."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    prefix = urlsplit(settings.STATIC_URL).path
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    normalised = posixpath.normpath(relative)
    if (
        not relative
        or normalised != relative
        or normalised.startswith(("../", "/"))
        or normalised == ".."
        or "\\" in relative
        or "\x00" in relative
    ):
        return None
    found = finders.find(normalised)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / normalised).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_path(url)
            if path is None:
                raise ValueError(f"Refused to fetch {url!r}: only local static files are allowed")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher


def static_only_fetcher():
    """A WeasyPrint URL fetcher that serves local static files and refuses everything else."""
    try:
        return _fetcher_class()()
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc


def render_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML

        fetcher = _fetcher_class()()
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
