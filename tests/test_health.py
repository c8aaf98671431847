import pytest


@pytest.mark.django_db
def test_health_reports_database_up(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["database"]["status"] == "up"
