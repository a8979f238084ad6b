from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Portfolio"

    def ready(self) -> None:
        from portfolio import checks  # noqa: F401  (registers the system checks)
        from portfolio.roles import ensure_roles
        from portfolio.web import signin

        post_migrate.connect(ensure_roles, dispatch_uid="greenlight_ensure_roles")
        signin.connect()


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site whose model admins' number fields refuse ``1_000`` and
    ``１０００`` as the pages' do (``portfolio.admin_fields``). Named in INSTALLED_APPS in
    place of django.contrib.admin. ``default = False`` leaves PortfolioConfig this
    module's default (Django's AdminConfig is not imported by name, or it would be one)."""

    default = False
    default_site = "portfolio.admin_fields.AdminSite"
