from django.urls import path

from planning import views

urlpatterns = [
    path("plan/", views.plan_page, name="plan"),
    path("plan.csv", views.plan_csv, name="plan_csv"),
    path("plan/scenarios/", views.scenario_list, name="scenario_list"),
    path("plan/scenarios/compare/", views.scenario_compare, name="scenario_compare"),
    path("plan/scenarios/<int:pk>.csv", views.scenario_csv, name="scenario_csv"),
    path("plan/scenarios/<int:pk>/adopt/", views.scenario_adopt, name="scenario_adopt"),
    path("plan/scenarios/<int:pk>/rename/", views.scenario_rename, name="scenario_rename"),
    path("plan/scenarios/<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path(
        "projects/<str:key>/next-stage-ask/", views.next_stage_ask_edit, name="next_stage_ask_edit"
    ),
]
