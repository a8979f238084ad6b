from django.urls import path

from portfolio import dashboard_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects.csv", views.project_list_csv, name="project_list_csv"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("projects/<str:key>/", views.project_detail, name="project_detail"),
    path("projects/<str:key>/edit/", views.proposal_edit, name="proposal_edit"),
    path("projects/<str:key>/submit/", views.proposal_submit, name="proposal_submit"),
    path("projects/<str:key>/spend/", views.spend_create, name="spend_create"),
    path("projects/<str:key>/outcomes/", views.outcome_create, name="outcome_create"),
    path("projects/<str:key>/artifacts/new/", views.artifact_create, name="artifact_create"),
    path("projects/<str:key>/artifacts/reuse/", views.artifact_reuse, name="artifact_reuse"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("api/metrics", dashboard_views.api_metrics, name="api_metrics"),
]
