from django.urls import path

from gates.views import export, history, import_jobs, interchange, panel, reviews

urlpatterns = [
    path("projects/<str:key>/gate-review/", reviews.gate_review, name="gate_review"),
    path(
        "projects/<str:key>/gate-review/score/", reviews.scorecard_preview, name="scorecard_preview"
    ),
    path("projects/<str:key>/gate-review/vote/", panel.vote_cast, name="vote_cast"),
    path("projects/<str:key>/decide/", reviews.decision_create, name="decision_create"),
    path(
        "projects/<str:key>/feasibility-study/",
        reviews.feasibility_study_edit,
        name="feasibility_study_edit",
    ),
    path(
        "projects/<str:key>/architecture-estimate/",
        reviews.architecture_estimate_edit,
        name="architecture_estimate_edit",
    ),
    path(
        "projects/<str:key>/business-case/", reviews.business_case_edit, name="business_case_edit"
    ),
    path(
        "projects/<str:key>/replaced/<int:pk>/",
        history.replaced_history,
        name="replaced_history",
    ),
    path("portfolio/import/", interchange.portfolio_import, name="portfolio_import"),
    path("portfolio/imports/", import_jobs.import_jobs, name="import_jobs"),
    path("portfolio/imports/<int:job_id>/", import_jobs.import_job, name="import_job"),
    path("portfolio/export/", export.portfolio_export_page, name="portfolio_export_page"),
    path("portfolio/export.zip", interchange.portfolio_export, name="portfolio_export"),
    path(
        "portfolio/export.xlsx",
        interchange.portfolio_export_workbook,
        name="portfolio_export_workbook",
    ),
]
