from __future__ import annotations

from django.contrib import admin, messages

from planning import services
from planning.inputs import WRITTEN
from planning.models import PlanSettings, Scenario
from portfolio.errors import DomainError

SETTINGS_FIELDS = (
    "budget",
    "horizon",
    "discount_rate",
    "target_efficiency",
    "target_revenue",
    "target_new_category",
)


@admin.register(PlanSettings)
class PlanSettingsAdmin(admin.ModelAdmin):
    """The planning page's defaults: one row, saved through the service (audited)."""

    fields = SETTINGS_FIELDS
    list_display = ("__str__", *SETTINGS_FIELDS)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Each number field's own example when it refuses ``1e6`` (``RefusesExponents``,
        given every admin number field by ``portfolio.admin_fields``), the planning page's:
        "Horizon: write the number in plain digits, e.g. 3 (not 3e0).", not the
        default's 1000000, which no horizon, rate or share can be."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        written = WRITTEN.get("targets" if db_field.name.startswith("target_") else db_field.name)
        if field is not None and written is not None:
            field.example = (written.example, written.with_exponent)
            field.what = written.what
        return field

    def has_add_permission(self, request):
        # One row: once it exists, it is changed, not added again.
        return self.has_module_permission(request) and not PlanSettings.objects.exists()

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_module_permission(self, request):
        # The admin's sign-in page asks this of an anonymous visitor too.
        return request.user.is_authenticated and request.user.is_portfolio_admin

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = services.update_plan_settings(
                actor=request.user, **{name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            obj.pk = saved.pk


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    """Read-only: scenarios are saved and adopted on the planning pages."""

    list_display = ("name", "created_by", "created_at", "adopted", "adopted_at")
    readonly_fields = (
        "name",
        "settings",
        "created_by",
        "created_at",
        "adopted",
        "adopted_by",
        "adopted_at",
        "funded_keys",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The admin's sign-in page asks this of an anonymous visitor too.
        return request.user.is_authenticated and request.user.is_portfolio_admin

    def has_module_permission(self, request):
        # The admin's sign-in page asks this of an anonymous visitor too.
        return request.user.is_authenticated and request.user.is_portfolio_admin
