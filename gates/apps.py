from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GatesConfig(AppConfig):
    name = "gates"
    verbose_name = "Stage gates"

    def ready(self) -> None:
        from gates.defaults import ensure_default_gates

        post_migrate.connect(
            ensure_default_gates, sender=self, dispatch_uid="greenlight_default_gates"
        )
