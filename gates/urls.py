from django.urls import path

from gates import interchange_views, views

urlpatterns = [
    path("projects/<str:key>/gate-review/", views.gate_review, name="gate_review"),
    path(
        "projects/<str:key>/gate-review/score/", views.scorecard_preview, name="scorecard_preview"
    ),
    path("projects/<str:key>/decide/", views.decision_create, name="decision_create"),
    path(
        "projects/<str:key>/feasibility-study/",
        views.feasibility_study_edit,
        name="feasibility_study_edit",
    ),
    path(
        "projects/<str:key>/architecture-estimate/",
        views.architecture_estimate_edit,
        name="architecture_estimate_edit",
    ),
    path("projects/<str:key>/business-case/", views.business_case_edit, name="business_case_edit"),
    path("portfolio/import/", interchange_views.portfolio_import, name="portfolio_import"),
    path("portfolio/export.zip", interchange_views.portfolio_export, name="portfolio_export"),
]
