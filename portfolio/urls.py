"""Root URL configuration: sign-in, the admin, the portfolio's pages, the dashboard, the gates."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portfolio.sso import views as sso_views
from portfolio.views import assets, assignments, money, notifications, people, projects, proposals
from portfolio.web import health

urlpatterns = [
    path("health", health.health, name="health"),
    path("accounts/login/", sso_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", sso_views.sign_out, name="logout"),
    path("accounts/sso/start/", sso_views.sso_start, name="sso_start"),
    path("accounts/sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path(
        "accounts/password/",
        people.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("people/", people.people_list, name="people_list"),
    path("people/<int:pk>/roles/", people.person_roles, name="person_roles"),
    path("people/<int:pk>/unlock/", people.person_unlock, name="person_unlock"),
    path("", projects.home, name="home"),
    path("projects/", projects.project_list, name="project_list"),
    path("projects.csv", projects.project_list_csv, name="project_list_csv"),
    path("proposals/new/", proposals.proposal_create, name="proposal_create"),
    path("projects/<str:key>/", projects.project_detail, name="project_detail"),
    path("projects/<str:key>/edit/", proposals.proposal_edit, name="proposal_edit"),
    path("projects/<str:key>/submit/", proposals.proposal_submit, name="proposal_submit"),
    path("projects/<str:key>/delete/", proposals.proposal_delete, name="proposal_delete"),
    path("projects/<str:key>/spend/", money.spend_create, name="spend_create"),
    path("projects/<str:key>/outcomes/", money.outcome_create, name="outcome_create"),
    path("projects/<str:key>/artifacts/new/", assets.artifact_create, name="artifact_create"),
    path("projects/<str:key>/artifacts/reuse/", assets.artifact_reuse, name="artifact_reuse"),
    path("projects/<str:key>/adoption/", assets.adoption_create, name="adoption_create"),
    path("projects/<str:key>/architect/", assignments.estimate_assign, name="estimate_assign"),
    path("projects/<str:key>/architect/take/", assignments.estimate_take, name="estimate_take"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("artifacts/", assets.artifact_library, name="artifact_library"),
    path("artifacts/<str:key>/", assets.artifact_detail, name="artifact_detail"),
    path("", include("portfolio.dashboard.urls")),
    path("", include("gates.urls")),
    path("", include("planning.urls")),
    path("", include("api.urls")),
    path("", include("boardpack.urls")),
]
