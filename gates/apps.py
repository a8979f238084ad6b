from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GatesConfig(AppConfig):
    name = "gates"
    verbose_name = "Stage gates"

    def ready(self) -> None:
        from gates.defaults import ensure_default_gates
        from gates.services.votes import announce_submission
        from gates.tasks import panels_may_have_grown
        from portfolio import signals

        post_migrate.connect(
            ensure_default_gates, sender=self, dispatch_uid="greenlight_default_gates"
        )
        # Someone given a role, made active again or made a project's product manager is
        # asked at once for their vote in the open reviews whose panel they joined.
        signals.panels_may_have_grown.connect(
            panels_may_have_grown, dispatch_uid="gates_ask_new_gatekeepers"
        )
        # A proposal submitted opens its gate 1 review: its panel is asked at once.
        signals.proposal_submitted.connect(
            announce_submission, dispatch_uid="gates_announce_submission"
        )
