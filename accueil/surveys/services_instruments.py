"""Instruments in the database, kept in step with their definitions."""

from __future__ import annotations

from django.db import transaction

from .definitions import Instrument as Spec
from .definitions import shipped
from .models import Instrument, InstrumentSource


@transaction.atomic
def instrument_store(spec: Spec, *, source: str, by=None, using: str = "default") -> Instrument:
    """Store ``spec`` as the current version of its slug. The same slug and version with other
    content replaces the stored definition only while no answer uses it; otherwise the file
    must carry a new version."""
    rows = Instrument.objects.using(using)
    found = rows.filter(slug=spec.slug, version=spec.version).first()
    if found is not None and found.sha256 == spec.sha256:
        if not found.is_current:
            rows.filter(slug=spec.slug, is_current=True).update(is_current=False)
            found.is_current = True
            found.save(update_fields=["is_current"])
        return found
    if found is not None:
        from .models import Response

        if Response.objects.using(using).filter(instrument=found).exists():
            raise ValueError(
                f"{spec.slug} version {spec.version} changed but has answers: "
                "give the changed instrument a new version"
            )
        found.definition = spec.to_dict()
        found.sha256 = spec.sha256
        found.title = dict(spec.title)
        found.audience = spec.audience
        found.save()
        return found
    rows.filter(slug=spec.slug, is_current=True).update(is_current=False)
    return rows.create(
        slug=spec.slug,
        version=spec.version,
        audience=spec.audience,
        title=dict(spec.title),
        definition=spec.to_dict(),
        sha256=spec.sha256,
        source=source,
        is_current=True,
        loaded_by=by,
    )


def instruments_sync(*, using: str = "default") -> list[Instrument]:
    """Load every shipped file (idempotent: unchanged files write nothing)."""
    return [
        instrument_store(spec, source=InstrumentSource.SHIPPED, using=using) for spec in shipped()
    ]


def current_instruments(slugs) -> dict[str, Instrument]:
    found = {i.slug: i for i in Instrument.objects.current().filter(slug__in=list(slugs))}
    return {slug: found[slug] for slug in slugs if slug in found}
