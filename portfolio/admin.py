from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten, unquote
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.functional import cached_property

from portfolio import audit, edits, services, signals
from portfolio.errors import DomainError, add_domain_error
from portfolio.forms import TICKED_FOR_ANOTHER_AMOUNT, ConfirmsAnAmount, InvisibleTextIsBlank
from portfolio.models import (
    Adoption,
    Artifact,
    ArtifactReuse,
    AuditEntry,
    Outcome,
    Project,
    Role,
    SpendEntry,
    User,
)
from portfolio.services import people
from portfolio.services.corrections import ADOPTION_FIELDS, OUTCOME_FIELDS
from portfolio.services.spend import REALIZED_VALUE_INSTRUCTIONS
from portfolio.views.people import WITHOUT_THE_ROLE, owned_projects_link

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


def _shown(obj: models.Model, name: str) -> str:
    """A field's value as the audit trail writes it: "" for none, a related object by
    name, a decimal with its field's places (so 2.5 and 2.50 are not a change)."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return ""
    if field.many_to_many or field.one_to_many:
        return ""  # not a column of this row; none of the audited admins edits one
    value = getattr(obj, field.name, None)
    if value is None:
        return ""
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) is not None:
        value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return str(value)


class ChecksVersionSeen:
    """A change form that never silently replaces a change saved since it was opened
    (another admin, another tab, a page of the app): like the app's forms
    (portfolio/edits.py) it carries a digest of the fields it edits as they were
    (``version_seen``, which the form declares), compares it with the row, locked, when
    it is saved, and refuses with who changed what and when. The refused form keeps what
    was typed and the digest of the row as it is now, so a second save is made knowingly
    and goes through."""

    # Many-to-many fields the form edits whose members count too (by id).
    version_members: tuple[str, ...] = ()
    # Audit entries' change names that stand for these fields (the roles for the groups).
    version_audit_names: tuple[str, ...] = ()
    version_ignored: tuple[str, ...] = ()

    def _start_version(self) -> None:
        # The form's own fields, named now: an inline's formset adds its own (the parent's
        # key, the id) after this, and the digest must be of the same fields when the form
        # is drawn and when it is saved.
        model_fields = {
            field.name for field in self._meta.model._meta.concrete_fields if not field.many_to_many
        }
        self._version_names = sorted(
            name
            for name in self.fields
            if name in model_fields and name not in self.version_ignored
        )
        self._version_members = sorted(name for name in self.version_members if name in self.fields)
        if self.instance.pk is not None:
            self.fields[edits.FIELD].initial = edits.token(self._version_values(self.instance))

    @cached_property
    def changed_data(self) -> list[str]:
        # The digest is how the form was drawn, not a change to the record.
        return [name for name in super().changed_data if name != edits.FIELD]

    def _version_values(self, record) -> dict | None:
        members = {
            name: sorted(getattr(record, name).values_list("pk", flat=True))
            for name in self._version_members
        }
        return edits.values_of(record, self._version_names, **members)

    def _check_version(self, data: dict) -> None:
        seen = data.get(edits.FIELD)
        if not seen or self.instance.pk is None:
            return
        model = type(self.instance)
        stored = model._base_manager.select_for_update().filter(pk=self.instance.pk).first()
        try:
            edits.check(
                seen,
                record=stored,
                values=self._version_values(stored),
                what=f"this {model._meta.verbose_name}",
                names=[*self._version_names, *self._version_members, *self.version_audit_names],
            )
        except edits.ChangedSince as changed:
            fresh = self.data.copy()
            fresh[self.add_prefix(edits.FIELD)] = edits.token(changed.values)
            self.data = fresh
            raise forms.ValidationError(changed.sentence(kept=ADMIN_KEPT)) from None


class AdminForm(ChecksVersionSeen, InvisibleTextIsBlank, forms.ModelForm):
    """The admin's forms read text as the pages and the API do: text with no visible
    character (``"\u200b"``, a byte order mark) is blank, so a required field says "This
    field is required." and an optional one keeps "" (``portfolio.validators.is_blank``).
    A change form never silently replaces a change saved since it was opened
    (:class:`ChecksVersionSeen`)."""

    version_seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._start_version()

    def clean(self):
        data = super().clean()
        self._check_version(data)
        return data


# What a refused admin form says after who changed what (portfolio/edits.py's first part).
ADMIN_KEPT = (
    "Nothing was saved: what you typed is kept below. Open this page in another tab to see "
    "the values saved now; save again to replace them with yours."
)


class KeepsAdminVersion:
    """A ModelAdmin whose change form carries ``version_seen`` (AdminForm) even when its
    fields are listed by hand."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        listed = {name for _, options in fieldsets for name in flatten(options["fields"])}
        declared = getattr(self.form, "declared_fields", {})
        if obj is not None and edits.FIELD in declared and edits.FIELD not in listed:
            fieldsets.append((None, {"fields": [edits.FIELD]}))
        return fieldsets


class AuditedAdmin(KeepsAdminVersion, admin.ModelAdmin):
    """Writes the audit trail for every add, change and delete made in the admin, with
    each changed field's value before and after; a save that changed nothing writes
    nothing (the inlines' rows each write their own entry)."""

    form = AdminForm

    def _project_of(self, obj):
        if isinstance(obj, Project):
            return obj
        return getattr(obj, "project", None)

    def _changes(self, obj, names) -> dict:
        """{field: [before, after]} for ``obj``, whose new values are set but not saved."""
        before = type(obj)._base_manager.filter(pk=obj.pk).first() if obj.pk else None
        changes = {}
        for name in names:
            old = _shown(before, name) if before is not None else ""
            new = _shown(obj, name)
            if old != new:
                changes[name] = [old, new]
        return changes

    def _record(self, request, obj, verb: str, changes: dict | None = None) -> None:
        audit.record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{verb}_in_admin",
            project=self._project_of(obj),
            obj=obj,
            summary=f"{obj._meta.verbose_name} {obj} {verb} in the admin",
            changes=changes,
        )

    def save_model(self, request, obj, form, change):
        changes = self._changes(obj, form.changed_data)  # before the row is written
        super().save_model(request, obj, form, change)
        if changes or not change:
            self._record(request, obj, "changed" if change else "added", changes)

    def delete_model(self, request, obj):
        self._record(request, obj, "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        # Each row's changes are read before anything is saved: the instances already
        # hold the new values, the database still the old ones.
        changes = {
            id(row.instance): self._changes(row.instance, row.changed_data)
            for row in formset.forms
            if row.has_changed() and row not in formset.deleted_forms
        }
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self._record(request, obj, "deleted")
            obj.delete()
        for obj in instances:
            adding = obj.pk is None
            obj.save()
            row_changes = changes.get(id(obj))
            if adding or row_changes:
                self._record(request, obj, "added" if adding else "changed", row_changes)
        formset.save_m2m()


# The question the user page asks before it removes the Product manager or the Researcher
# role from someone who still owns open projects (remove_role_confirmation.html): the roles
# it asked about, its Yes, and its Go back (the change form again, as typed).
ROLES_ASKED = "_roles_asked"
CONFIRM_REMOVAL = "_confirm_role_removal"
BACK_TO_FORM = "_back_to_form"
NOT_TYPED = ("csrfmiddlewaretoken", ROLES_ASKED, CONFIRM_REMOVAL, BACK_TO_FORM)
# Beside the roles when the question is not asked (another error too, or after Go back).
HOW_TO_CONFIRM = "Save again to be asked, or choose the role again to keep it."


class UserAdminForm(ChecksVersionSeen, InvisibleTextIsBlank, UserChangeForm):
    """The admin's user form: roles change through the people service, checked here first.

    Removing the Product manager or the Researcher role from someone who still owns open
    projects in it is refused (``people.OpenProjectsLeft``, kept in ``open_projects_left``)
    until the admin confirms it on the page that asks, as the People page does.

    Like every admin change form it never silently replaces a change saved since it was
    opened (:class:`ChecksVersionSeen`): the account's fields, its roles and permissions
    (a role given or removed on the People page meanwhile is named). The password is not
    part of it: it is changed on a page of its own."""

    actor: User | None = None  # set per request by UserAdmin.get_form
    version_seen = forms.CharField(widget=forms.HiddenInput, required=False)
    version_members = ("groups", "user_permissions")
    version_audit_names = ("roles",)
    version_ignored = ("password",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_projects_left: list[people.OpenProjectsLeft] = []
        self._start_version()

    def _confirmed_removals(self) -> set[str]:
        """The roles whose removal the admin confirmed on the page that asked about them."""
        if CONFIRM_REMOVAL not in self.data or BACK_TO_FORM in self.data:
            return set()
        return set(self.data.getlist(ROLES_ASKED))

    def clean_groups(self):
        wanted = self.cleaned_data.get("groups")
        if wanted is None or self.actor is None:
            return wanted
        before = set(self.instance.groups.all()) if self.instance.pk else set()
        confirmed = self._confirmed_removals()
        left = []
        for group in sorted(set(wanted) ^ before, key=lambda g: g.name):
            grant = group in wanted
            try:
                people.check_role_change(
                    actor=self.actor, person=self.instance, role=group.name, grant=grant
                )
                if not grant and group.name not in confirmed:
                    people.check_no_open_projects_left(person=self.instance, role=group.name)
            except people.OpenProjectsLeft as refused:
                left.append(refused)
            except DomainError as error:
                raise forms.ValidationError(error.message) from None
        if left:
            self.open_projects_left = left
            raise forms.ValidationError([f"{each.message} {HOW_TO_CONFIRM}" for each in left])
        return wanted

    def clean(self):
        data = super().clean()
        self._check_version(data)
        if self.actor is None:
            return data
        # Fields a non-superuser sees read-only are not posted: they keep their value.
        try:
            people.check_account_change(
                actor=self.actor,
                person=self.instance,
                active=data.get("is_active", self.instance.is_active),
                superuser=data.get("is_superuser", self.instance.is_superuser),
            )
        except DomainError as error:
            add_domain_error(self, error)
        return data


@admin.register(User)
class UserAdmin(KeepsAdminVersion, DjangoUserAdmin):
    """People. Only a superuser changes who is superuser or staff, permissions, others'
    passwords, or another Admin's account; nobody deactivates (or deletes) their own
    account, and the last active admin or superuser stays one (``people.
    check_account_change``); roles (the groups) change through ``services.set_role``,
    audited."""

    form = UserAdminForm
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
    SUPERUSER_ONLY = ("is_staff", "is_superuser", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            fields += self.SUPERUSER_ONLY
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "groups" in form.base_fields:
            form.base_fields["groups"].queryset = Group.objects.filter(name__in=Role.values)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_change_permission(self, request, obj=None):
        # Another Admin's or a superuser's account is changed by superusers only: an Admin
        # who could deactivate another would get round "only a superuser removes Admin".
        if (
            obj is not None
            and obj.pk != request.user.pk
            and obj.is_portfolio_admin
            and not request.user.is_superuser
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting one's own account would be deactivating it, without the warning (the
        # list's "delete selected" asks this of each person too).
        if obj is not None and obj.pk == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Never trust the form with these for a non-superuser, whatever was posted.
        if not request.user.is_superuser:
            if change:
                kept = User.objects.filter(pk=obj.pk).values(*self.SUPERUSER_ONLY[:2]).get()
                obj.is_staff, obj.is_superuser = kept["is_staff"], kept["is_superuser"]
            else:
                obj.is_staff = obj.is_superuser = False
        changes = {
            name: [str(form.initial.get(name, "")), str(form.cleaned_data.get(name, ""))]
            for name in form.changed_data
            if name not in ("groups", "password", "password1", "password2")
        }
        super().save_model(request, obj, form, change)
        if changes or not change:
            audit.record(
                actor=request.user,
                action="user.changed_in_admin" if change else "user.added_in_admin",
                obj=obj,
                summary=f"{obj.email} {'changed' if change else 'added'} in the admin",
                changes=changes,
            )
        if change and "is_active" in form.changed_data and obj.is_active:
            # Active again: the gates naming them or their roles count them again, and
            # their open reviews ask them at once (gates listens).
            signals.panels_may_have_grown.send(sender=User, person=obj)

    def save_related(self, request, form, formsets, change):
        wanted = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if wanted is None:
            return
        person = form.instance
        have = set(person.groups.all())
        for group in sorted(set(wanted) ^ have, key=lambda g: g.name):
            # The form asked before removing a role in which open projects are left
            # (UserAdminForm.clean_groups): the admin confirmed it, or there were none.
            people.set_role(
                person=person,
                role=group.name,
                actor=request.user,
                grant=group in wanted,
                confirmed=True,
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A save refused only because it would remove a role in which open projects are
        # left asks instead, as the People page does; its Go back shows the form as typed.
        form = context["adminform"].form
        if (
            request.method == "POST"
            and obj is not None
            and getattr(form, "open_projects_left", None)
            and set(form.errors) == {"groups"}
            and len(form.errors["groups"]) == len(form.open_projects_left)
            and BACK_TO_FORM not in request.POST
        ):
            return self._confirm_role_removal(request, form.open_projects_left, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _confirm_role_removal(self, request, left: list, obj: User) -> TemplateResponse:
        # The person as saved: the form's instance already holds what was typed.
        person = User.objects.get(pk=obj.pk)
        roles = [each.role for each in left]
        context = {
            **self.admin_site.each_context(request),
            "title": (
                f"Remove the {' and '.join(roles)} role{'s' if len(roles) > 1 else ''} "
                f"from {person.full_name or person.email}?"
            ),
            "opts": self.opts,
            "person": person,
            "removals": [
                {
                    "role": each.role,
                    "count": each.count,
                    "keys": each.keys,
                    "more": each.count - len(each.keys),
                    "owner": each.role.lower(),
                    "without_the_role": WITHOUT_THE_ROLE[each.role],
                    "projects_link": owned_projects_link(person, each.role),
                }
                for each in left
            ],
            "roles": roles,
            "typed": [
                (name, value)
                for name, values in request.POST.lists()
                if name not in NOT_TYPED
                for value in values
            ],
            "roles_asked": ROLES_ASKED,
            "confirm_removal": CONFIRM_REMOVAL,
            "back_to_form": BACK_TO_FORM,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/portfolio/user/remove_role_confirmation.html", context
        )

    def user_change_password(self, request, id, form_url=""):
        person = self.get_object(request, unquote(id))
        if person is not None:
            try:
                people.check_password_change(actor=request.user, person=person)
            except DomainError:
                raise PermissionDenied from None
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        match = request.resolver_match
        if match is not None and match.url_name == "auth_user_password_change":
            people.record_password_change(person=obj, actor=request.user)
        return entry


admin.site.unregister(Group)


class ReadOnly:
    """Neither add, change nor delete in the admin: a mixin for model admins."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent, never added or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Group)
class RoleGroupAdmin(ReadOnly, GroupAdmin):
    """The role groups, read-only: their permissions are written in portfolio/roles.py."""


class AuditInline(ReadOnlyInline):
    model = AuditEntry
    fields = ["at", "actor", "action", "summary", "changes"]
    readonly_fields = fields
    ordering = ["-at"]


class ServiceForm(AdminForm):
    """An admin form whose change is made by a service, and checked by it in ``clean``.

    ``clean`` runs the service in a savepoint that is rolled back, so every rule and
    permission check of the service puts its message beside the field it names, and
    the admin never says "added successfully" for a change that was refused.
    ``save_model`` then runs the service for real (``write(dry_run=False)``).
    """

    actor: User | None = None  # set per request by ServiceAdmin.get_form

    def write(self) -> models.Model:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors or self.actor is None:
            return data
        try:
            with transaction.atomic():
                self.write()
                transaction.set_rollback(True)
        except DomainError as error:
            add_domain_error(self, error)
        return data


class ServiceAdmin(KeepsAdminVersion, admin.ModelAdmin):
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A refused change leaves the typed values on ``obj`` (the form's instance): the
        # heading, the breadcrumb and the title name the object as it is saved, not as it
        # would have been ("GL-0050 2026-10 300000" while nothing was saved).
        if obj is not None and obj.pk is not None and request.method == "POST":
            saved = type(obj)._default_manager.filter(pk=obj.pk).first()
            if saved is not None:
                context["original"] = saved
                context["subtitle"] = str(saved)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        saved = form.write()
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The service wrote the object and its relations; inlines here are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class ProjectForm(ServiceForm):
    class Meta:
        model = Project
        fields = list(services.CORRECTABLE_FIELDS)

    def write(self) -> Project:
        fields = {name: self.cleaned_data[name] for name in self.changed_data}
        return services.correct_project(project=self.instance, actor=self.actor, **fields)


class ChairInactiveFilter(admin.SimpleListFilter):
    """The open projects whose product manager's account is no longer active: nobody chairs
    their reviews until they are given another (My work's Administration links here)."""

    title = "product manager's account"
    parameter_name = "pm_account"

    def lookups(self, request, model_admin):
        return [("inactive", "No longer active (open projects)")]

    def queryset(self, request, queryset):
        if self.value() == "inactive":
            return queryset.open().filter(product_manager__is_active=False)
        return queryset


@admin.register(Project)
class ProjectAdmin(ServiceAdmin):
    """Corrections of submitted projects, through ``services.correct_project`` (audited).

    Proposals are created on their page; history (status, gate, totals) is read-only.
    """

    form = ProjectForm
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
    list_filter = ["status", "current_gate", "bucket", "research_type", ChairInactiveFilter]
    search_fields = ["key", "title", "researcher__email", "product_manager__email"]
    readonly_fields = (*MAINTAINED, "submitted_on", "created_at", "updated_at")
    raw_id_fields = ["researcher", "product_manager"]
    inlines = [AuditInline]

    def get_queryset(self, request):
        # Other people's drafts are theirs alone, here as on every page.
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SpendEntryForm(ServiceForm):
    class Meta:
        model = SpendEntry
        fields = ["project", "spent_on", "amount", "category", "note"]

    def write(self) -> SpendEntry:
        data = self.cleaned_data
        if self.instance.pk:
            entry = SpendEntry.objects.select_related("project").get(pk=self.instance.pk)
            fields = {
                name: data[name]
                for name in ("spent_on", "amount", "category", "note")
                if name in self.changed_data
            }
            return services.change_spend(entry=entry, actor=self.actor, **fields)
        return services.record_spend(
            project=data["project"],
            actor=self.actor,
            spent_on=data["spent_on"],
            amount=data["amount"],
            category=data["category"],
            note=data.get("note", ""),
        )


@admin.register(SpendEntry)
class SpendEntryAdmin(ServiceAdmin):
    """Spend corrections, through the services so the project's running totals stay exact."""

    form = SpendEntryForm
    list_display = ["project", "spent_on", "amount", "category", "recorded_by"]
    list_filter = ["category"]
    search_fields = ["project__key", "note"]
    date_hierarchy = "spent_on"
    raw_id_fields = ["project"]

    def get_readonly_fields(self, request, obj=None):
        # Moving spend to another project is two corrections: remove it here, add it there.
        return ["recorded_by", "recorded_at"] + (["project"] if obj is not None else [])

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(project__in=Project.objects.visible_to(request.user))
        )

    def delete_model(self, request, obj):
        services.delete_spend(entry=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset.select_related("project"):
            services.delete_spend(entry=entry, actor=request.user)


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """Written only by the app's pages and their services; the admin shows it."""


class MonthCorrectionForm(ServiceForm):
    """A recorded month's numbers corrected through ``change`` (a service of
    ``portfolio.services.corrections``); the project and the month are read-only."""

    corrected: tuple[str, ...] = ()  # the month's numbers, which ``change`` takes as fields

    def write(self) -> models.Model:
        model = type(self.instance)
        row = model.objects.select_related("project").get(pk=self.instance.pk)
        fields = {
            name: self.cleaned_data[name] for name in self.changed_data if name in self.corrected
        }
        return self.change(row, actor=self.actor, **fields)


class OutcomeCorrectionForm(ConfirmsAnAmount, MonthCorrectionForm):
    """A month raised above the project's high projection for a whole year is kept only
    once "Yes, this amount is right" is ticked, as on the outcome form: the tick is shown
    when ``change_outcome`` asks for it (or was given), hidden otherwise.

    As on the outcome form, a tick confirms one amount: the amount asked about is sent with
    it (the hidden ``confirmed_value``), and a tick sent with another amount (changed while
    it stayed ticked) or none is dropped, and the new amount asked about again."""

    confirm_value = forms.BooleanField(
        label="Yes, this amount is right", required=False, widget=forms.HiddenInput
    )
    # The amount the tick shown confirms (set in ``clean``); empty while no tick is shown.
    confirmed_value = forms.CharField(required=False, widget=forms.HiddenInput)

    corrected = OUTCOME_FIELDS

    class Meta:
        model = Outcome
        fields = list(OUTCOME_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The app's words for a value refused for itself, as on the outcome form (Django's
        # own: "Ensure that there are no more than 2 decimal places.").
        self.fields["realized_value"].error_messages.update(REALIZED_VALUE_INSTRUCTIONS)
        self.drop_outdated_tick()

    def add_error(self, field, error):
        # The service's question about an amount whose tick was for another one says so.
        if field == "confirm_value" and self.confirmation_outdated and isinstance(error, str):
            error = TICKED_FOR_ANOTHER_AMOUNT + error
        super().add_error(field, error)

    def change(self, row, **kwargs):
        confirmed = bool(self.cleaned_data.get("confirm_value"))
        return services.change_outcome(outcome=row, confirm_value=confirmed, **kwargs)

    def clean(self):
        data = super().clean()
        shown = "confirm_value" in self.errors or bool(data.get("confirm_value"))
        if shown:
            self.fields["confirm_value"].widget = forms.CheckboxInput()
        # Sent back with the tick shown: the amount it confirms, the one now given.
        value = data.get("realized_value")
        typed = self.data.get(self.add_prefix("realized_value"), "")
        self.data = self.data.copy()
        confirmed = (typed if value is None else str(value)) if shown else ""
        self.data[self.add_prefix("confirmed_value")] = confirmed
        return data


class AdoptionCorrectionForm(MonthCorrectionForm):
    corrected = ADOPTION_FIELDS

    class Meta:
        model = Adoption
        fields = list(ADOPTION_FIELDS)

    @staticmethod
    def change(row, **kwargs):
        return services.change_adoption(adoption=row, **kwargs)


class MonthCorrectionAdmin(ServiceAdmin):
    """Recorded on the project's pages (greenlit projects, month by month); an admin
    corrects a month's numbers or removes it here, audited with the values before, as
    spend is corrected. Nothing is added here."""

    readonly_fields = ["project", "month", "recorded_by", "recorded_at"]
    search_fields = ["project__key"]
    date_hierarchy = "month"
    remove = staticmethod(lambda row, actor: None)

    def get_fields(self, request, obj=None):
        # The form's own fields too (the outcome's confirmation), after the month's numbers.
        return [*self.readonly_fields[:2], *self.form.base_fields, *self.readonly_fields[2:]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("project", "recorded_by")
            .filter(project__in=Project.objects.visible_to(request.user))
        )

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        self.remove(obj, request.user)

    def delete_queryset(self, request, queryset):
        for row in queryset.select_related("project"):
            self.remove(row, request.user)


@admin.register(Outcome)
class OutcomeAdmin(MonthCorrectionAdmin):
    form = OutcomeCorrectionForm
    list_display = ["project", "month", "realized_value", "recorded_by"]
    remove = staticmethod(lambda row, actor: services.delete_outcome(outcome=row, actor=actor))


@admin.register(Adoption)
class AdoptionAdmin(MonthCorrectionAdmin):
    form = AdoptionCorrectionForm
    list_display = ["project", "month", "active_users", "tasks_completed", "recorded_by"]
    remove = staticmethod(lambda row, actor: services.delete_adoption(adoption=row, actor=actor))


class ReuseInline(ReadOnlyInline):
    model = ArtifactReuse
    fields = ["project", "linked_by", "linked_at"]
    readonly_fields = fields


@admin.register(Artifact)
class ArtifactAdmin(ReadOnlyAdmin):
    """Artifacts are registered and linked on the project's pages."""

    list_display = ["name", "kind", "project", "registered_at"]
    list_filter = ["kind"]
    search_fields = ["name", "project__key"]
    raw_id_fields = ["project"]
    inlines = [ReuseInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "project", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "project__key", "actor__email"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        visible = Project.objects.visible_to(request.user)
        return (
            super().get_queryset(request).filter(Q(project__isnull=True) | Q(project__in=visible))
        )
