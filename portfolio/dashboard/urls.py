from django.urls import path

from portfolio.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("api/metrics", views.api_metrics, name="api_metrics"),
]
