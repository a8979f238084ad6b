"""Root URL configuration: sign-in, the admin, the portfolio's pages, the dashboard, the gates."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portfolio import asset_views, people_views, views
from portfolio.forms import SignInForm
from portfolio.web import health

urlpatterns = [
    path("health", health.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        people_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("people/", people_views.people_list, name="people_list"),
    path("people/<int:pk>/roles/", people_views.person_roles, name="person_roles"),
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
    path("projects/<str:key>/adoption/", asset_views.adoption_create, name="adoption_create"),
    path("artifacts/", asset_views.artifact_library, name="artifact_library"),
    path("artifacts/<str:key>/", asset_views.artifact_detail, name="artifact_detail"),
    path("", include("portfolio.dashboard.urls")),
    path("", include("gates.urls")),
    path("", include("planning.urls")),
    path("", include("api.urls")),
]
