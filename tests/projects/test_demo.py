"""seed_demo's projects: 跑步节 commended, some under way, posts, 8 expert pairs; idempotent."""

from __future__ import annotations

import pytest

from members import demo as members_demo
from points.models import Entry
from services.projects import demo
from services.projects.models import ExpertPair, PioneerPost, Project

pytestmark = pytest.mark.django_db


def test_the_demo_projects_and_running_it_twice_changes_nothing():
    members_demo.seed()
    demo.seed()
    counts = (Project.objects.count(), Entry.objects.count(), ExpertPair.objects.count())
    demo.seed()

    assert (Project.objects.count(), Entry.objects.count(), ExpertPair.objects.count()) == counts
    running = Project.objects.get(title=demo.RUNNING_APP)
    assert running.status == Project.Status.COMMENDED
    assert running.leader.member.name == "叶冬梅"
    assert Project.objects.under_way().count() >= 3
    assert ExpertPair.objects.count() == 8
    assert ExpertPair.objects.values("expert").distinct().count() == 8
    assert ExpertPair.objects.values("mentee").distinct().count() == 8
    assert PioneerPost.objects.exists()
    assert Entry.objects.filter(source__startswith=f"project:{running.pk}:").count() == 6
