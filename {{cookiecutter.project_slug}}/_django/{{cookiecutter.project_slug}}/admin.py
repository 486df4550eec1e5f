"""The admin site's view of the service's data; make a login with `createsuperuser`."""

from django.contrib import admin

from .models import Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """List visits newest first, browsable by date."""

    list_display = ["path", "created_at"]
    date_hierarchy = "created_at"
