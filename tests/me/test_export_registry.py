"""Every model that points at a person is in the /me/export/ registry, or left out with a reason."""

from django.apps import apps
from django.conf import settings

from members.exports import excluded_fields, export_sources
from members.models import Member


def _keys_to_a_person() -> list[str]:
    """ "app.Model.field" of every foreign key or one-to-one to the user model or a member."""
    person_models = {apps.get_model(settings.AUTH_USER_MODEL), Member}
    return [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in person_models
    ]


def _covered(key: str) -> bool:
    label, field = key.rsplit(".", 1)
    return any(
        source.label == label
        and any(lookup == field or lookup.startswith(f"{field}__") for lookup in source.person)
        for source in export_sources()
    )


def test_every_key_to_a_person_is_exported_or_excluded_with_a_reason():
    keys = _keys_to_a_person()
    assert "points.Voucher.member" in keys and "wishes.Wish.wisher" in keys  # the walk works
    excluded = excluded_fields()
    missing = [key for key in keys if not _covered(key) and key not in excluded]
    assert missing == [], "add these to an app's personal_data.register(): " + ", ".join(missing)
    assert all(reason.strip() for reason in excluded.values())


def test_exclusions_name_real_keys_and_are_not_also_exported():
    keys = set(_keys_to_a_person())
    for key in excluded_fields():
        assert key in keys, f"{key} is excluded but is not a key to a person"
        assert not _covered(key), f"{key} is both exported and excluded"


def test_the_ledger_and_the_requested_records_are_registered():
    labels = {source.label for source in export_sources()}
    assert {
        "points.Entry",
        "points.Voucher",
        "wishes.Wish",
        "wishes.Claim",
        "services.ServiceRequest",
        "services.ServiceRecord",
        "services.SignUp",
        "services.Attendance",
        "members.AuditEvent",
    } <= labels
