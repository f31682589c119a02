"""Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEY.

Key rotation: put the new key first and keep the old ones after it
(FIELD_ENCRYPTION_KEY=new,old), restart, run this command, then remove the old key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accueil.core.fields import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the current (first) encryption key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            names = [f.attname for f in fields]
            count = 0
            # Reading decrypts with whichever key fits; writing encrypts with the first key.
            rows = model._base_manager.order_by("pk").values_list("pk", *names)
            for start in range(0, rows.count(), batch_size):
                with transaction.atomic():
                    for pk, *values in rows[start : start + batch_size]:
                        model._base_manager.filter(pk=pk).update(
                            **dict(zip(names, values, strict=True))
                        )
                        count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: {count} row(s) re-encrypted")
        self.stdout.write(f"done: {total} row(s)")
