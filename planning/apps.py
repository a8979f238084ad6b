from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "Portfolio planning"

    def ready(self) -> None:
        from portfolio.signals import project_key_changed

        project_key_changed.connect(_follow_key_change, dispatch_uid="planning_follow_key")


def _follow_key_change(*, project, old_key: str, new_key: str, actor, **kwargs) -> None:
    """Scenarios' pins and the adopted fund list follow a corrected key (same transaction)."""
    from planning.services import follow_key_change

    follow_key_change(project=project, old_key=old_key, new_key=new_key, actor=actor)
