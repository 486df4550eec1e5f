from django.contrib import admin

from .models import Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """List visits newest first, browsable by date; log in after `createsuperuser`."""

    list_display = ["path", "created_at"]
    date_hierarchy = "created_at"
