"""The admin site shows the visits (factor XII: admin processes)."""

import pytest


@pytest.mark.django_db
def test_admin_lists_visits(admin_client):
    """A superuser sees the visits in Django's admin site."""
    admin_client.get("/")
    response = admin_client.get("/admin/visits/visit/")
    assert response.status_code == 200
    assert "1 visit" in response.text
