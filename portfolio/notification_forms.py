"""The forms of the notification settings page and of an estimate's assignment."""

from __future__ import annotations

from django import forms

from portfolio.models import EmailTiming, NotificationKind, Role, User

AS_OVERALL = [("", "As chosen overall")]


class NotificationSettingsForm(forms.Form):
    """E-mail at once, in the daily digest, or none: overall, and per kind if wanted."""

    overall = forms.ChoiceField(
        label="E-mail me about my notifications",
        choices=EmailTiming.choices,
        help_text="The notification is always shown in the app; this chooses the e-mail.",
    )

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        """``kinds``: those the person can receive (all when None); a choice kept for
        another kind stays as it was."""
        super().__init__(*args, **kwargs)
        self.kinds = [k for k in NotificationKind if kinds is None or k in kinds]
        for kind in self.kinds:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=AS_OVERALL + list(EmailTiming.choices), required=False
            )

    def kind_fields(self):
        return [self[kind.value] for kind in self.kinds]

    def by_kind(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data.get(kind.value, "") for kind in self.kinds}


class ArchitectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


class AssignArchitectForm(forms.Form):
    architect = ArchitectChoiceField(
        label="Architect",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody: any architect may take it from the shared queue",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["architect"].queryset = (
            User.objects.filter(groups__name=Role.ARCHITECT, is_active=True)
            .distinct()
            .order_by("full_name", "email")
        )
