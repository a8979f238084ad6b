from django.apps import AppConfig
from django.db.models.signals import post_save


class BackgroundConfig(AppConfig):
    name = "background"
    verbose_name = "Background work"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_tasks_db.models import DBTaskResult

        from background import wakeup

        # A task queued wakes the idle workers at once (PostgreSQL's NOTIFY).
        post_save.connect(wakeup.announce, sender=DBTaskResult, dispatch_uid="background.wakeup")
