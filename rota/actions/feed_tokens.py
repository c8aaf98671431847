"""The secret URLs of the organisations' own calendar feeds."""

from __future__ import annotations

from django.db import transaction

from rota.models import Organisation


@transaction.atomic
def rotate_feed_token(*, organisation: Organisation) -> Organisation:
    """Give the organisation a new secret feed URL; the old URL stops working at once."""
    organisation.feed_token = Organisation.new_feed_token()
    organisation.save(update_fields=["feed_token"])
    return organisation


@transaction.atomic
def revoke_feed_token(*, organisation: Organisation) -> Organisation:
    organisation.feed_token = None
    organisation.save(update_fields=["feed_token"])
    return organisation
