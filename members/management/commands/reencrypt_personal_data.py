"""Re-encrypt every stored ID number under the current key and recompute its lookup digest."""

from django.core.management.base import BaseCommand
from django.db import transaction

from members.encryption import decrypt_text, lookup_digest, rotate_token
from members.models import Member


class Command(BaseCommand):
    help = (
        "After adding a new key in front of FIELD_ENCRYPTION_KEY: re-encrypt ID numbers and "
        "recompute digests under it, so the old key can be removed. Safe to run again."
    )

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            # Locked in primary-key order, the one order every writer of these rows uses.
            members = (
                Member.objects.select_for_update()
                .exclude(id_number_encrypted="")
                .order_by("pk")
                .only("pk", "id_number_encrypted", "id_number_digest")
            )
            batch = []
            for member in members.iterator(chunk_size=500):
                member.id_number_encrypted = rotate_token(member.id_number_encrypted)
                member.id_number_digest = lookup_digest(decrypt_text(member.id_number_encrypted))
                batch.append(member)
                count += 1
            # Digests are unique: clear them first so a half-updated set never collides.
            Member.objects.filter(pk__in=[m.pk for m in batch]).update(id_number_digest=None)
            Member.objects.bulk_update(
                batch, ["id_number_encrypted", "id_number_digest"], batch_size=500
            )
        self.stdout.write(f"Re-encrypted {count} ID numbers under the current key.")
