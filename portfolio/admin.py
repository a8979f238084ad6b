from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q

from portfolio import audit, services
from portfolio.errors import DomainError
from portfolio.models import (
    Artifact,
    ArtifactReuse,
    AuditEntry,
    Outcome,
    Project,
    SpendEntry,
    User,
)

# Fields the services maintain from history; editing them by hand would lie.
MAINTAINED = (
    "status",
    "current_gate",
    "decisions_count",
    "last_decision_on",
    "latest_probability",
    "funding_granted_total",
    "spend_total",
    "last_spend_on",
)


class AuditedAdmin(admin.ModelAdmin):
    """Writes the audit trail for every add, change and delete made in the admin."""

    def _project_of(self, obj):
        if isinstance(obj, Project):
            return obj
        return getattr(obj, "project", None)

    def _changes(self, form) -> dict:
        return {
            name: [str(form.initial.get(name, "")), str(form.cleaned_data.get(name, ""))]
            for name in form.changed_data
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'changed' if change else 'added'}_in_admin",
            project=self._project_of(obj),
            obj=obj,
            summary=f"{obj._meta.verbose_name} {obj} {'changed' if change else 'added'} in the admin",
            changes=self._changes(form),
        )

    def delete_model(self, request, obj):
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.deleted_in_admin",
            project=self._project_of(obj),
            obj=obj,
            summary=f"{obj._meta.verbose_name} {obj} deleted in the admin",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(
                actor=request.user,
                action=f"{obj._meta.model_name}.deleted_in_admin",
                project=self._project_of(obj),
                obj=obj,
                summary=f"{obj._meta.verbose_name} {obj} deleted in the admin",
            )
            obj.delete()
        changed = {id(o): fields for o, fields in formset.changed_objects}
        for obj in instances:
            adding = obj.pk is None
            obj.save()
            audit.record(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'added' if adding else 'changed'}_in_admin",
                project=self._project_of(obj),
                obj=obj,
                summary=f"{obj._meta.verbose_name} {obj} {'added' if adding else 'changed'} in the admin",
                changes={
                    name: ["", str(getattr(obj, name, ""))] for name in changed.get(id(obj), [])
                },
            )
        formset.save_m2m()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        (
            "Roles and permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class AuditInline(admin.TabularInline):
    model = AuditEntry
    fields = ["at", "actor", "action", "summary", "changes"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = [
        "key",
        "title",
        "status",
        "current_gate",
        "bucket",
        "product_manager",
        "submitted_on",
        "spend_total",
    ]
    list_filter = ["status", "current_gate", "bucket", "research_type"]
    search_fields = ["key", "title", "researcher__email", "product_manager__email"]
    readonly_fields = (*MAINTAINED, "created_at", "updated_at")
    raw_id_fields = ["researcher", "product_manager"]
    inlines = [AuditInline]

    def get_queryset(self, request):
        # Other people's drafts are theirs alone, here as on every page.
        return super().get_queryset(request).visible_to(request.user)


@admin.register(SpendEntry)
class SpendEntryAdmin(admin.ModelAdmin):
    list_display = ["project", "spent_on", "amount", "category", "recorded_by"]
    list_filter = ["category"]
    search_fields = ["project__key", "note"]
    date_hierarchy = "spent_on"
    raw_id_fields = ["project"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def save_model(self, request, obj, form, change):
        # Through the services, so the project's running totals stay exact.
        try:
            if change:
                fields = {name: form.cleaned_data[name] for name in form.changed_data}
                services.change_spend(entry=obj, actor=request.user, **fields)
            else:
                saved = services.record_spend(
                    project=obj.project,
                    actor=request.user,
                    spent_on=obj.spent_on,
                    amount=obj.amount,
                    category=obj.category,
                    note=obj.note,
                )
                obj.pk = saved.pk
        except DomainError as error:
            messages.error(request, error.message)

    def delete_model(self, request, obj):
        services.delete_spend(entry=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset.select_related("project"):
            services.delete_spend(entry=entry, actor=request.user)


@admin.register(Outcome)
class OutcomeAdmin(AuditedAdmin):
    list_display = ["project", "month", "realized_value"]
    raw_id_fields = ["project"]
    search_fields = ["project__key"]


class ReuseInline(admin.TabularInline):
    model = ArtifactReuse
    raw_id_fields = ["project"]
    extra = 0


@admin.register(Artifact)
class ArtifactAdmin(AuditedAdmin):
    list_display = ["name", "kind", "project", "registered_at"]
    list_filter = ["kind"]
    search_fields = ["name", "project__key"]
    raw_id_fields = ["project"]
    inlines = [ReuseInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "project", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "project__key", "actor__email"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        visible = Project.objects.visible_to(request.user)
        return (
            super().get_queryset(request).filter(Q(project__isnull=True) | Q(project__in=visible))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
