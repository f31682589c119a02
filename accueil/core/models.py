from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet):
    def for_record(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
        )

    def involving_user(self, user):
        """Entries where the person acted, or where their own account was the record."""
        from django.contrib.contenttypes.models import ContentType

        user_ct = ContentType.objects.get_for_model(type(user))
        return self.filter(
            models.Q(actor=user) | models.Q(content_type=user_ct, object_pk=str(user.pk))
        )


class AuditEntry(AbstractLogEntry):
    """One row of the audit trail: a field change recorded by auditlog, a record view, or a
    named action (``code``, e.g. ``account.invited``) recorded by ``core.audit.record``.

    ``object_repr`` holds a reference (``accounts.user:12``), not the record's text: the trail
    must not become a second copy of people's personal data.
    """

    code = models.CharField(_("action"), max_length=64, blank=True, db_index=True)

    objects = LogEntryManager.from_queryset(AuditEntryQuerySet)()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_pk", "-timestamp"])]

    def save(self, *args, **kwargs):
        if self.content_type_id and self.object_pk:
            # Written the way the audit page's record filter reads it.
            self.object_repr = (
                f"{self.content_type.app_label}.{self.content_type.model}:{self.object_pk}"
            )
        # The actor is referenced by the foreign key: no copy of their address.
        self.actor_email = None
        self.serialized_data = None
        super().save(*args, **kwargs)

    @property
    def sentence(self) -> str:
        from .audit import describe

        return describe(self)


class ScheduledRun(models.Model):
    """One row per periodic job per time slot. The unique constraint is what lets several
    schedulers run at once (on several machines) without enqueuing a slot twice."""

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField(help_text="Start of the slot, in seconds since the epoch.")
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_slot")]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"
