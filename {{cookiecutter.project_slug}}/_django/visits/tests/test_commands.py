"""prune_visits: a one-off admin task on the visits (factor XII: admin processes)."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from visits.models import Visit


def visit(days_ago: float) -> Visit:
    """Store a visit made the given number of days ago."""
    return Visit.objects.create(
        path="/", created_at=timezone.now() - timedelta(days=days_ago)
    )


@pytest.mark.django_db
def test_prune_visits_deletes_only_old_visits():
    """By default it deletes visits older than 30 days and says how many."""
    visit(31)
    visit(45)
    recent = visit(29)
    out = io.StringIO()
    call_command("prune_visits", stdout=out)
    assert out.getvalue() == "deleted 2 visits older than 30 days\n"
    assert list(Visit.objects.all()) == [recent]


@pytest.mark.django_db
def test_prune_visits_honours_days():
    """--days sets the age beyond which visits are deleted."""
    visit(8)
    recent = visit(6)
    out = io.StringIO()
    call_command("prune_visits", "--days", "7", stdout=out)
    assert out.getvalue() == "deleted 1 visit older than 7 days\n"
    assert list(Visit.objects.all()) == [recent]


def test_prune_visits_rejects_negative_days():
    """A negative --days is refused before anything is deleted."""
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        call_command("prune_visits", "--days", "-1")
