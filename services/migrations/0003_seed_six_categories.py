"""Seed the six categories of the service list (names stay Chinese: they are data)."""

from django.db import migrations

CATEGORIES = [
    ("party_building", "党建指导"),
    ("party_affairs", "党务办理"),
    ("education", "教育管理"),
    ("entrepreneurship", "创业服务"),
    ("talent", "人才联络"),
    ("volunteer", "志愿帮扶"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    for position, (code, name) in enumerate(CATEGORIES, start=1):
        # Staff may have renamed a category since: only fill what is missing.
        Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})


def unseed(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    Category.objects.filter(
        code__in=[code for code, _name in CATEGORIES],
        services__isnull=True,
        activities__isnull=True,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0002_catalogue_requests_records_activities"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
