"""Buyer-seller messages, reply templates, feedback, A-to-z claims and chargebacks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.crypto import MASK, EncryptedTextField, reveal
from core.state import StateMachine


def validate_header_text(value: str) -> None:
    """Refuse a line break in text that goes into an e-mail header (a subject, a Message-ID, a name)."""
    if "\r" in value or "\n" in value:
        raise ValidationError(_("A line break is not allowed here: this text goes into an e-mail header."),
                              code="line_break")


def _clean_header_fields(instance: models.Model, names: tuple[str, ...]) -> None:
    errors = {}
    for name in names:
        try:
            validate_header_text(getattr(instance, name) or "")
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


class MessageThread(models.Model):
    """One conversation with one buyer, about one order where the buyer named it."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="threads")
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="threads")
    buyer_name = models.CharField(_("buyer name"), max_length=200, blank=True)
    buyer_email = models.EmailField(_("buyer relay address"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="assigned_threads")
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")
        indexes = [
            models.Index(fields=["store", "buyer_email"], name="thread_store_buyer"),
            # The inbox's language filter skips from one language of a store to the next.
            models.Index(fields=["store", "language"], name="thread_store_language"),
            # The inbox's answered tab: newest conversation first, read from the index until a page is full.
            models.Index(fields=["-last_message_at", "-id"], name="thread_latest"),
        ]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"

    def clean(self) -> None:
        super().clean()
        _clean_header_fields(self, ("subject", "buyer_name"))


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From buyer")
        OUTBOUND = "outbound", _("To buyer")

    class Kind(models.TextChoices):
        """A person's message, or one of Amazon's own notices (``support.notifications`` tells them apart)."""

        MESSAGE = "message", _("Message")
        CANCEL_REQUEST = "cancel_request", _("Cancellation request")
        CLAIM = "a_to_z_claim", _("A-to-z Guarantee claim notice")
        RETURN_REQUEST = "return_request", _("Return request")
        FEEDBACK = "feedback", _("Feedback notice")
        AMAZON = "amazon_notice", _("Amazon notice")

    class Outcome(models.TextChoices):
        """What SellerOps did with a notice."""

        NONE = "", _("Nothing")
        ORDER_MARKED = "order_marked", _("Marked on the order")
        ORDER_ALREADY_MARKED = "order_already_marked", _("The order was already marked")
        CLAIM_OPENED = "claim_opened", _("Claim opened")
        CLAIM_UPDATED = "claim_updated", _("Open claim updated")
        CLAIM_EXISTS = "claim_exists", _("Claim already recorded")
        CLAIM_CLOSED = "claim_closed", _("Claim closed by Amazon")
        RETURN_OPENED = "return_opened", _("Return opened")
        RETURN_AUTHORIZED = "return_authorized", _("Return opened and authorised")
        RETURN_EXISTS = "return_exists", _("Return already open")
        RETURN_INCOMPLETE = "return_incomplete", _("The notice names no SKU or quantity")
        REFUSED = "refused", _("Not recorded")
        ORDER_UNKNOWN = "order_unknown", _("Order not in SellerOps")
        RECORDED = "recorded", _("Recorded")

    class Delivery(models.TextChoices):
        """A reply e-mailed from the inbox: recorded first, then handed to the SMTP server once, after commit."""

        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="messages")
    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sender = models.CharField(_("from"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body = models.TextField(_("body"))
    sent_at = models.DateTimeField(_("sent at"))
    needs_reply = models.BooleanField(_("needs a reply"), default=False)
    no_reply_needed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+")
    replied_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    is_internal_note = models.BooleanField(_("internal note"), default=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MESSAGE)
    full_text = models.TextField(
        _("whole e-mail text"), blank=True,
        help_text=_("The mail's whole text when the body shows only the buyer's words out of Amazon's template."))
    outcome = models.CharField(_("what was done"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_detail = models.CharField(_("details of what was done"), max_length=500, blank=True)
    #: One per rendered reply form (or the API's ``Idempotency-Key``): the same key again is the same reply.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="",
                                       editable=False)
    #: Empty for buyer messages, notes, and replies recorded through the API.
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices, blank=True, default="",
                                editable=False)

    #: Set on the reply a service returns when the same idempotency key had recorded it before.
    replayed = False

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["store", "message_id"], condition=~Q(message_id=""),
                                    name="message_unique_store_message_id"),
            # The real guarantee that one submitted reply is recorded (and so e-mailed) once.
            models.UniqueConstraint(fields=["thread", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="message_unique_thread_idempotency_key"),
            models.CheckConstraint(condition=Q(direction="inbound") | Q(needs_reply=False),
                                   name="message_only_inbound_needs_reply"),
            # Amazon's notices are never answered, so they never wait and never count in Contact Response Rate.
            models.CheckConstraint(condition=Q(kind="message") | Q(needs_reply=False),
                                   name="message_notice_needs_no_reply"),
        ]
        indexes = [
            # The included columns let PostgreSQL answer the response metric from the indexes alone.
            models.Index(fields=["store", "direction", "sent_at"], name="message_store_dir_sent",
                         include=["thread", "needs_reply", "is_internal_note"]),
            models.Index(fields=["thread", "sent_at"], name="message_thread_sent",
                         include=["direction", "is_internal_note"]),
            # Buyer messages still waiting for an answer: a few among every message ever received, and what the
            # inbox's tabs and counts start from (``support.selectors.pending_messages``).
            models.Index(fields=["thread", "sent_at"], name="message_pending",
                         condition=Q(direction="inbound", needs_reply=True, replied_at__isnull=True,
                                     is_internal_note=False)),
            # Which threads were answered: the inbox's "answered" tab and mark.
            models.Index(fields=["thread"], name="message_replied",
                         condition=Q(direction="outbound", is_internal_note=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.sent_at:%Y-%m-%d %H:%M}"

    @property
    def is_notice(self) -> bool:
        return self.kind != self.Kind.MESSAGE

    def clean(self) -> None:
        super().clean()
        _clean_header_fields(self, ("message_id", "sender", "subject"))


class ReplyTemplate(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="reply_templates", help_text=_("Empty: shared by every store."))
    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=8, default="en")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), help_text=_("May use {buyer_name}, {order_id}, {tracking_url}."))

    class Meta:
        ordering = ["name", "language"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [
            models.UniqueConstraint(fields=["store", "name", "language"], name="replytemplate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Feedback(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="feedback")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    response = models.TextField(_("your response"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_requested_at = models.DateTimeField(_("removal requested at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
            models.UniqueConstraint(fields=["order"], name="feedback_one_per_order"),
        ]
        indexes = [
            models.Index(fields=["store", "received_at"], name="feedback_store_received"),
            # The order defect rate reads only negative feedback: a few rows among all ratings.
            models.Index(fields=["store", "received_at"], name="feedback_negative", condition=Q(rating__lte=2),
                         include=["order", "removed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.rating}★"

    @property
    def is_negative(self) -> bool:
        return self.rating <= 2


#: Amazon's reasons for an A-to-z claim or a chargeback, as its notices and reports write them (in English on every
#: marketplace's Seller Central export), each with our translatable label. A reason not listed is shown as written.
CLAIM_REASON_LABELS = {
    "Item not received": _("Item not received"),
    "Item not as described": _("Item not as described"),
    "Item materially different": _("Item materially different from the description"),
    "Item damaged or defective": _("Item damaged or defective"),
    "Item returned, refund not received": _("Item returned, refund not received"),
    "Unauthorised transaction": _("Unauthorised transaction"),
    "Unauthorized transaction": _("Unauthorised transaction"),
    "Merchandise not received": _("Merchandise not received"),
    "Not as described": _("Item not as described"),
}


class Claim(models.Model):
    """An A-to-z Guarantee claim or a chargeback; each decision keeps its time so a past instant can be judged."""

    class Kind(models.TextChoices):
        A_TO_Z = "a_to_z", _("A-to-z Guarantee claim")
        CHARGEBACK = "chargeback", _("Chargeback")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVERSED = "reversed", _("Reversed")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="claims")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    denied_at = models.DateTimeField(_("denied at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    #: The seller's response to Amazon, as sent (drafted on the claim's page from the order's evidence).
    response = models.TextField(_("your response"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("responded by"))

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [
            # Every date the order defect rate reads is included: it answers from the index alone.
            models.Index(fields=["store", "filed_at"], name="claim_store_filed",
                         include=["order", "kind", "granted_at", "denied_at", "withdrawn_at", "reversed_at"]),
            # Open claims by deadline: the claims tab and the deadline alerts.
            models.Index(fields=["respond_by"], name="claim_open_respond_by", condition=Q(status="open")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.order} · {self.get_status_display()}"

    @property
    def reason_label(self) -> str:
        """The reason in the reader's language where it is one of Amazon's own, else as Amazon wrote it."""
        return str(CLAIM_REASON_LABELS.get(self.reason.strip(), self.reason))


C = Claim.Status
#: Every allowed claim decision, by kind. Only a chargeback can be reversed (the seller's representment won
#: after the bank had decided for the buyer).
CLAIM_TRANSITIONS: dict[str, dict[str, set[str]]] = {
    Claim.Kind.A_TO_Z: {
        C.OPEN: {C.GRANTED, C.DENIED, C.WITHDRAWN},
        C.GRANTED: {C.WITHDRAWN},
        C.DENIED: set(),
        C.WITHDRAWN: set(),
        C.REVERSED: set(),
    },
    Claim.Kind.CHARGEBACK: {
        C.OPEN: {C.GRANTED, C.DENIED, C.WITHDRAWN},
        C.GRANTED: {C.WITHDRAWN, C.REVERSED},
        C.DENIED: set(),
        C.WITHDRAWN: set(),
        C.REVERSED: set(),
    },
}
#: The timestamp each decision sets.
CLAIM_STATUS_TIME_FIELD: dict[str, str] = {
    C.GRANTED: "granted_at", C.DENIED: "denied_at", C.WITHDRAWN: "withdrawn_at", C.REVERSED: "reversed_at",
}
#: Each kind's status machine: its table, and the timestamp each decision sets.
CLAIM_STATES: dict[str, StateMachine] = {
    kind: StateMachine(table, dict(Claim.Status.choices), entered_at=CLAIM_STATUS_TIME_FIELD)
    for kind, table in CLAIM_TRANSITIONS.items()
}


#: What each password is good for: the server and account it was entered for. Changing one of these makes
#: the stored password unusable; it is cleared and must be entered again (``Mailbox.save``).
MAILBOX_CONNECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "imap": ("imap_host", "imap_port", "imap_use_ssl", "imap_user"),
    "smtp": ("smtp_host", "smtp_port", "smtp_use_tls", "smtp_user"),
}
MAILBOX_PASSWORD_FIELDS = ("imap_password", "smtp_password")


class Mailbox(models.Model):
    """A store's mail account at Amazon's buyer-seller relay: IMAP to read buyers' messages, SMTP to answer.

    The passwords are encrypted at rest (``core.crypto``), never shown back, and each is bound to
    the server, port, TLS setting and user it was entered for: a password is only ever sent to that server.
    """

    store = models.OneToOneField("sellerops.Store", on_delete=models.CASCADE, related_name="mailbox")
    imap_host = models.CharField(_("IMAP host"), max_length=200)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_use_ssl = models.BooleanField(_("IMAP over SSL"), default=True)
    imap_user = models.CharField(_("IMAP user"), max_length=200)
    imap_password = EncryptedTextField(_("IMAP password"), blank=True)
    imap_password_for = models.CharField(_("IMAP password entered for"), max_length=64, blank=True,
                                         editable=False)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    uidvalidity = models.PositiveBigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.PositiveBigIntegerField(_("last UID read"), default=0)
    smtp_host = models.CharField(_("SMTP host"), max_length=200, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_user = models.CharField(_("SMTP user"), max_length=200, blank=True)
    smtp_password = EncryptedTextField(_("SMTP password"), blank=True)
    smtp_password_for = models.CharField(_("SMTP password entered for"), max_length=64, blank=True,
                                         editable=False)
    smtp_use_tls = models.BooleanField(_("SMTP STARTTLS"), default=True)
    from_address = models.EmailField(_("from address"),
                                     help_text=_("The store's address registered with Amazon for messaging."))
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.store} · {self.imap_user}@{self.imap_host}"

    def __repr__(self) -> str:
        return f"<Mailbox store_id={self.store_id} {self.imap_user}@{self.imap_host} passwords=********>"

    def save(self, *args, **kwargs) -> None:
        """Save; a password not entered anew is cleared when its server, port, TLS setting or user changed.

        Whatever path changes the connection (the back office, a service, the shell), a password kept from
        before is never sent to the new server: it has to be typed again.
        """
        update_fields = kwargs.get("update_fields")
        written: list[str] = []
        for side, connection in MAILBOX_CONNECTION_FIELDS.items():
            password_field, bound_field = f"{side}_password", f"{side}_password_for"
            if update_fields is not None and not {password_field, bound_field, *connection} & set(update_fields):
                continue
            fingerprint = self.connection_fingerprint(side)
            # Read first: a deferred password is loaded here, and remembered as the stored one.
            password = getattr(self, password_field)
            if password is not getattr(self, "_stored_passwords", {}).get(password_field):
                # Entered now (or saved for the first time): good for this server only.
                bound = fingerprint if password else ""
            elif getattr(self, bound_field) == fingerprint:
                continue
            else:  # kept from before, but the server changed: never sent there
                setattr(self, password_field, "")
                bound = ""
            setattr(self, bound_field, bound)
            written += [password_field, bound_field]
        if update_fields is not None and written:
            kwargs["update_fields"] = list(dict.fromkeys([*update_fields, *written]))
        super().save(*args, **kwargs)
        self._remember_stored_passwords()

    # --- Passwords bound to their server ---

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[override]  # Django 5.2's; the stubs add 6.1's fetch_mode
        instance = super().from_db(db, field_names, values)
        instance._remember_stored_passwords()
        return instance

    def refresh_from_db(self, using: str | None = None, fields: Iterable[str] | None = None,
                        from_queryset: models.QuerySet[Mailbox] | None = None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        self._remember_stored_passwords(fields)

    def _remember_stored_passwords(self, fields=None) -> None:
        # The very objects read from the database: a password assigned since is a new one (see ``save``).
        remembered = getattr(self, "_stored_passwords", {})
        for name in MAILBOX_PASSWORD_FIELDS:
            if fields is None or name in fields:
                remembered[name] = self.__dict__.get(name)
        self._stored_passwords = remembered

    def connection_fingerprint(self, side: str) -> str:
        """What the ``side`` ("imap" or "smtp") password is sent to: host, port, TLS and user, as a digest."""
        host, port, tls, user = (getattr(self, name) for name in MAILBOX_CONNECTION_FIELDS[side])
        text = "\x00".join([(host or "").strip().lower(), str(port), str(bool(tls)), user or ""])
        return hashlib.sha256(text.encode()).hexdigest()

    def login_password(self, side: str) -> str:
        """The ``side`` password, only for the server and user it was entered for; otherwise empty."""
        password = reveal(getattr(self, f"{side}_password"))
        if not password or getattr(self, f"{side}_password_for") != self.connection_fingerprint(side):
            return ""
        return password

    def has_password(self, side: str) -> bool:
        return bool(self.login_password(side))

    def scrub(self, text: str) -> str:
        """``text`` (a server's error, say) with every stored password masked."""
        for name in MAILBOX_PASSWORD_FIELDS:
            password = reveal(getattr(self, name))
            if password:
                text = text.replace(password, MASK)
        return text


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"support/attachments/{instance.store_id}/{instance.message_id}/{filename}"


class Attachment(models.Model):
    """A file a buyer attached, kept as received; served only as a download."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
