"""The home page records each visit in the database (factor IV: backing services)."""

import re

from sqlalchemy import select

from {{cookiecutter.project_slug}}.extensions import db
from {{cookiecutter.project_slug}}.models import Visit


def test_home_records_visits(app, client):
    """Each request adds a row, and the page shows the running count."""
    client.get("/")
    response = client.get("/")
    assert response.status_code == 200
    assert "This page has had 2 visits." in response.text
    with app.app_context():
        visits = db.session.scalars(select(Visit)).all()
    assert [visit.path for visit in visits] == ["/", "/"]
    assert all(visit.created_at is not None for visit in visits)


def test_home_links_health_endpoints_and_stylesheet(client):
    """The page links both health endpoints and the stylesheet."""
    page = client.get("/").text
    assert 'href="/healthz"' in page
    assert 'href="/readyz"' in page
    assert re.search(r'href="/static/style(-[0-9a-f]{32})?\.css"', page)


def test_stylesheet_served(client):
    """The stylesheet is served under /static/."""
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
