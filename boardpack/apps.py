from django.apps import AppConfig


class BoardPackConfig(AppConfig):
    name = "boardpack"
    verbose_name = "Board pack"
    default_auto_field = "django.db.models.BigAutoField"
