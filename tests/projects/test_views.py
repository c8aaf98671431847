"""The public pages: anyone reads; a member claims and reports; a logged-in person rates once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from services.projects.models import Project, Rating, ReportPhoto
from tests.photo_uploads import gps_exif, image_bytes
from tests.projects.conftest import deliver, new_project

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_anonymous_visitors_read_the_list_and_a_project(project, leader, secretary, rater):
    deliver(project, leader, secretary)
    Rating.objects.create(project=project, user=rater, score=4, reason="报名方便。")
    client = _client()

    listing = client.get(reverse("projects:project_list"))
    page = client.get(reverse("projects:project_detail", args=[project.pk]))

    assert listing.status_code == 200
    assert project.title in listing.content.decode()
    for section in ("待认领", "履诺中", "群众评议", "已办结与表彰", "党员示范岗", "党员专家工作室"):
        assert section in listing.content.decode()
    body = page.content.decode()
    assert "一个半月完成开发并上线。" in body  # the pledge
    assert "完成报名模块。" in body  # the timeline
    assert "报名方便。" in body  # a rating with its reason
    assert 'action="/projects/' not in body  # no forms for anonymous visitors


def test_a_member_claims_and_reports_with_a_photo_through_the_pages(project, leader):
    client = _client(leader.user)

    client.post(reverse("projects:project_claim", args=[project.pk]), {"pledge": "按期上线。"})
    photo = SimpleUploadedFile(
        "run.jpg", image_bytes(exif=gps_exif().tobytes()), content_type="image/jpeg"
    )
    client.post(
        reverse("projects:project_report", args=[project.pk]),
        {"text": "报名模块上线。", "photos": [photo]},
    )

    project.refresh_from_db()
    assert project.status == Project.Status.IN_PROGRESS
    stored = ReportPhoto.objects.get(report__project=project)
    with Image.open(stored.image.path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # re-encoded: the GPS position is gone


def test_a_bad_photo_refuses_the_whole_report(project, leader):
    client = _client(leader.user)
    client.post(reverse("projects:project_claim", args=[project.pk]), {"pledge": "按期上线。"})

    response = client.post(
        reverse("projects:project_report", args=[project.pk]),
        {"text": "上线。", "photos": [SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>")]},
        follow=True,
    )

    assert not project.reports.exists()
    assert "x.jpg" in response.content.decode()


def test_rating_twice_through_the_page_says_why(project, leader, secretary, rater):
    deliver(project, leader, secretary)
    client = _client(rater)
    url = reverse("projects:project_rate", args=[project.pk])

    client.post(url, {"score": "5", "reason": "很好。"})
    response = client.post(url, {"score": "1", "reason": "再评。"}, follow=True)

    assert Rating.objects.get().score == 5
    assert "您已经评议过这个项目。" in response.content.decode()


def test_an_anonymous_post_goes_to_the_login_page(project):
    response = _client().post(
        reverse("projects:project_claim", args=[project.pk]), {"pledge": "我来。"}
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Project.objects.get(pk=project.pk).status == Project.Status.OPEN


def test_my_projects_on_the_member_home(project, leader):
    client = _client(leader.user)
    client.post(reverse("projects:project_claim", args=[project.pk]), {"pledge": "按期上线。"})

    page = client.get(reverse("members:me")).content.decode()

    assert 'id="projects-panel"' in page
    assert project.title in page


def test_each_section_shows_twelve_projects_and_links_to_all(branch, secretary):
    for n in range(13):
        new_project(f"开放项目{n:02d}", branch, secretary)
    client = _client()
    listing = client.get(reverse("projects:project_list")).content.decode()
    assert listing.count("开放项目") == 12
    assert "显示其余 1 个项目" in listing
    assert '?all=open#section-open"' in listing
    whole = client.get(reverse("projects:project_list") + "?all=open").content.decode()
    assert whole.count("开放项目") == 13
