"""The first score formula, in force since the centre opened (October 2016), default weights."""

import datetime as dt

from django.db import migrations


def create_first_formula(apps, schema_editor):
    ScoreFormula = apps.get_model("deqing_hub", "ScoreFormula")
    ScoreFormula.objects.get_or_create(
        effective_from=dt.date(2016, 10, 1),
        defaults={"note": "Weights published when the centre opened."},
    )


def remove_first_formula(apps, schema_editor):
    ScoreFormula = apps.get_model("deqing_hub", "ScoreFormula")
    ScoreFormula.objects.filter(effective_from=dt.date(2016, 10, 1), snapshots=None).delete()


class Migration(migrations.Migration):
    dependencies = [("deqing_hub", "0001_formulas_totals_snapshots")]

    operations = [migrations.RunPython(create_first_formula, remove_first_formula)]
