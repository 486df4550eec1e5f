"""The home page, its stylesheet and the request id every response carries."""

import html
import re
from datetime import timedelta

import pytest
from django.templatetags.static import static

from {{ cookiecutter.project_slug }}.models import Visit

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
def test_home_records_each_visit_and_shows_the_count(client):
    """Each request for / stores a visit in UTC, and the page shows the total."""
    client.get("/")
    response = client.get("/")
    assert response.status_code == 200
    assert "has had 2 visits" in response.text
    assert Visit.objects.count() == 2
    visit = Visit.objects.first()
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
def test_stylesheet_is_hashed_and_cached_forever(client):
    """The page links the stylesheet by a content-hashed name served as immutable."""
    url = static("style.css")
    assert re.fullmatch(r"/static/style\.[0-9a-f]{12}\.css", url)
    assert f'href="{url}"' in client.get("/").text
    response = client.get(url)
    response.close()  # a file response: release its file handle
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"


def test_request_id_is_made_when_missing(client):
    """A response to a request without an id carries a new one."""
    response = client.get("/healthz")
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_request_id_is_kept_when_valid(client):
    """A well-formed incoming X-Request-ID is echoed unchanged."""
    incoming = "req-42.a:b@c+d=e/f_G"
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["has spaces", "x" * 129, "semi;colon", "naïve", ""]
)
def test_request_id_is_replaced_when_invalid(client, incoming):
    """A malformed or oversized X-Request-ID is replaced by a new one."""
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
