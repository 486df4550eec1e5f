from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("reports", views.create_report, name="create"),
    path("reports/<int:report_id>", views.report_detail, name="detail"),
]
