from django.apps import AppConfig
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
