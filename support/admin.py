"""Buyer messages, reply templates, feedback and claims in the back office.

What feeds a metric (messages, ratings, claim decisions) changes only through ``support.services``, so it
is read-only here; reply templates and thread assignment are edited freely.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_kit import ReadOnlyAdmin, ReadOnlyTabularInline, StoreScopedAdmin
from core.errors import ApplicationError
from core.models import Store
from core.permissions import has_role, permitted_stores
from core.selectors import store_ids

from .models import (
    MAILBOX_CONNECTION_FIELDS,
    MAILBOX_PASSWORD_FIELDS,
    Claim,
    Feedback,
    Mailbox,
    Message,
    MessageThread,
    ReplyTemplate,
)
from .services import message_mark_no_reply_needed


class MessageInline(ReadOnlyTabularInline):
    model = Message
    fields = ["sent_at", "direction", "sender", "subject", "body", "needs_reply", "replied_at", "author"]
    readonly_fields = fields  # type: ignore[assignment]  # names only; the stubs type fields more widely


@admin.register(MessageThread)
class MessageThreadAdmin(StoreScopedAdmin):
    list_display = ["__str__", "store", "order", "buyer_name", "buyer_email", "assigned_to",
                    "last_message_at"]
    list_filter = ["store", "language", ("assigned_to", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "buyer_name", "buyer_email", "order__amazon_order_id"]
    list_select_related = ["store", "order", "assigned_to"]
    date_hierarchy = "last_message_at"
    raw_id_fields = ["order", "assigned_to"]
    readonly_fields = ["store", "order", "buyer_email", "last_message_at", "created_at"]
    inlines = [MessageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A thread opens with its first message (``message_receive``).
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "thread", "store", "direction", "sender", "needs_reply", "replied_at",
                    "is_internal_note"]
    list_filter = ["store", "direction", "needs_reply", "is_internal_note"]
    search_fields = ["subject", "sender", "message_id", "thread__buyer_email",
                     "thread__order__amazon_order_id"]
    list_select_related = ["thread", "store"]
    date_hierarchy = "sent_at"
    actions = ["mark_no_reply_needed"]

    @admin.action(description=_("Mark as needing no reply"))
    def mark_no_reply_needed(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        done = 0
        for message in queryset.filter(direction=Message.Direction.INBOUND, needs_reply=True):
            try:
                message_mark_no_reply_needed(message=message, actor=request.user)  # type: ignore[arg-type]  # staff only
            except ApplicationError as error:
                self.message_user(request, f"{message}: {error.message}", messages.WARNING)
            else:
                done += 1
        self.message_user(request, ngettext("%(count)d message marked.", "%(count)d messages marked.", done)
                          % {"count": done})

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        # The action is a change; a viewer who may not change messages does not get it.
        if not request.user.has_perm("support.change_message"):
            actions.pop("mark_no_reply_needed", None)
        return actions


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(StoreScopedAdmin):
    """Templates of the user's stores and the shared ones (no store); only a superuser edits shared ones."""

    list_display = ["name", "language", "store", "subject"]
    list_filter = ["store", "language"]
    search_fields = ["name", "subject", "body"]
    list_select_related = ["store"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(Q(store__in=store_ids(user=request.user)) | Q(store__isnull=True))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.store_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.store_id is None and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "store" and not request.user.is_superuser:
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Feedback)
class FeedbackAdmin(StoreScopedAdmin):
    list_display = ["order", "store", "rating", "received_at", "removed_at", "removal_requested_at"]
    list_filter = ["store", "rating", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["order__amazon_order_id", "order__buyer_name", "comment"]
    list_select_related = ["order", "store"]
    date_hierarchy = "received_at"
    readonly_fields = ["store", "order", "rating", "comment", "received_at", "removed_at"]
    fields = ["store", "order", "rating", "comment", "received_at", "response", "removal_requested_at",
              "removed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(StoreScopedAdmin):
    list_display = ["order", "store", "kind", "status", "amount", "filed_at", "respond_by", "granted_at",
                    "denied_at", "withdrawn_at", "reversed_at"]
    list_filter = ["store", "kind", "status"]
    search_fields = ["order__amazon_order_id", "order__buyer_name", "reason"]
    list_select_related = ["order", "store"]
    date_hierarchy = "filed_at"
    readonly_fields = ["store", "order", "kind", "status", "filed_at", "granted_at", "denied_at",
                       "withdrawn_at", "reversed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class MailboxForm(forms.ModelForm):
    """Passwords are written, never shown back. Left empty, the stored one is kept, unless the server, port,
    TLS setting or user it was entered for changes: then it must be typed again (``Mailbox.save`` clears it)."""

    imap_password = forms.CharField(label=_("IMAP password"), required=False, max_length=200,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    smtp_password = forms.CharField(label=_("SMTP password"), required=False, max_length=200,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))

    class Meta:
        model = Mailbox
        fields = ["store", "imap_host", "imap_port", "imap_use_ssl", "imap_user", "imap_password", "folder",
                  "last_uid", "smtp_host", "smtp_port", "smtp_user", "smtp_password", "smtp_use_tls",
                  "from_address", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for side in MAILBOX_CONNECTION_FIELDS:
            name = f"{side}_password"
            self.initial[name] = ""
            if name in self.fields:
                self.fields[name].help_text = (
                    _("Stored encrypted and never shown. Leave empty to keep it; it must be typed again when "
                      "the server, port, TLS setting or user changes.")
                    if self.instance.pk and self.instance.has_password(side)
                    else _("Stored encrypted; it is never shown again."))

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean() returns cleaned_data
        for side, connection in MAILBOX_CONNECTION_FIELDS.items():
            name, user = f"{side}_password", cleaned.get(f"{side}_user")
            if cleaned.get(name):
                continue
            # Left out of cleaned_data, the model keeps the stored value (if it is still for this server).
            cleaned.pop(name, None)
            if not user:
                continue
            if not self.instance.pk or not self.instance.has_password(side):
                self.add_error(name, _("Enter the password of this user."))
            elif set(connection) & set(self.changed_data):
                self.add_error(name, _("The server or user changed: enter the password again. A stored password "
                                       "is never sent to another server."))
        return cleaned


@admin.register(Mailbox)
class MailboxAdmin(StoreScopedAdmin):
    """Only the store's managers and admins (and superusers) see or change its mailbox, whatever model
    permissions a staff account holds; nobody ever sees its passwords."""

    form = MailboxForm
    list_display = ["store", "imap_user", "imap_host", "folder", "last_uid", "last_polled_at", "last_error",
                    "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["store"]
    readonly_fields = ["imap_password_stored", "smtp_password_stored", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["store", "from_address", "is_active"]}),
        (_("Reading (IMAP)"), {"fields": ["imap_host", "imap_port", "imap_use_ssl", "imap_user", "imap_password",
                                          "imap_password_stored", "folder", "last_uid", "last_polled_at",
                                          "last_error"]}),
        (_("Sending (SMTP)"), {"fields": ["smtp_host", "smtp_port", "smtp_use_tls", "smtp_user", "smtp_password",
                                          "smtp_password_stored"]}),
    ]

    def _managed_stores(self, request: HttpRequest) -> QuerySet:
        return permitted_stores(user=request.user, permission="mailbox.manage")

    def _may_manage(self, request: HttpRequest, obj: Mailbox | None = None) -> bool:
        return has_role(user=request.user, permission="mailbox.manage", store=obj.store_id if obj else None)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(store__in=self._managed_stores(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._may_manage(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "store" and not request.user.is_superuser:
            kwargs["queryset"] = Store.objects.filter(pk__in=self._managed_stores(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only, the page shows whether a password is stored, never a field holding one.
        return [(title, {**options, "fields": [f for f in options["fields"] if f not in MAILBOX_PASSWORD_FIELDS]})
                for title, options in fieldsets]

    @admin.display(boolean=True, description=_("IMAP password stored"))
    def imap_password_stored(self, obj: Mailbox) -> bool:
        return obj.has_password("imap")

    @admin.display(boolean=True, description=_("SMTP password stored"))
    def smtp_password_stored(self, obj: Mailbox) -> bool:
        return obj.has_password("smtp")
