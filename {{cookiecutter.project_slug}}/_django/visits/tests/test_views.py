"""The home page: each visit stored, counted and logged, with a hashed stylesheet."""

import html
import re
from datetime import timedelta

import pytest
from django.templatetags.static import static

from visits.models import Visit


@pytest.mark.django_db
def test_home_records_each_visit_and_shows_the_count(client):
    """Each request for / stores a visit in UTC, and the page shows the total."""
    client.get("/")
    response = client.get("/")
    assert response.status_code == 200
    assert "has had 2 visits" in response.text
    assert Visit.objects.count() == 2
    visit = Visit.objects.first()
    assert visit is not None
    assert visit.path == "/"
    assert visit.created_at.utcoffset() == timedelta(0)


@pytest.mark.django_db
def test_home_names_the_service_and_links_health_endpoints(client):
    """The page is titled with the service's name, and links /healthz and /readyz."""
    page = client.get("/").text
    title = re.search(r"<title>(.+)</title>", html.unescape(page))
    assert title is not None
    assert f"<h1>{title[1]}</h1>" in html.unescape(page)
    assert 'href="/healthz"' in page
    assert 'href="/readyz"' in page


@pytest.mark.django_db
def test_home_logs_the_visit_with_the_request_id(client, log_lines):
    """One INFO line starting with "visit" carries the request's id."""
    response = client.get("/", headers={"X-Request-ID": "visit-log-1"})
    assert response["X-Request-ID"] == "visit-log-1"
    visits = [line for line in log_lines() if line["message"].startswith("visit")]
    assert len(visits) == 1
    assert visits[0]["level"] == "INFO"
    assert visits[0]["request_id"] == "visit-log-1"


@pytest.mark.django_db
def test_home_links_a_hashed_stylesheet_cached_forever(client):
    """The page links the stylesheet by a content-hashed name served as immutable."""
    url = static("style.css")
    assert re.fullmatch(r"/static/style\.[0-9a-f]{12}\.css", url)
    assert f'href="{url}"' in client.get("/").text
    response = client.get(url)
    response.close()  # a file response: release its file handle
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    # Only the hashed copy is kept and served.
    assert client.get("/static/style.css").status_code == 404


def test_home_answers_get_only(client):
    """The page is read with GET; other methods get 405."""
    assert client.post("/").status_code == 405
