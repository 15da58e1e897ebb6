"""Writing a listing: create and edit its content, price and attributes, its main and other images.

Every write checks ``listing.edit`` in the listing's store, runs in one transaction, sets the status from the
quality checks (a listing with an error is kept as a draft, ``incomplete``) and tells the layers that sync with
Amazon what changed (``signals.listing_changed_send``). Stock is never written here: the opening stock goes
through ``services.stock_adjust`` as a movement like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from core.permissions import user_can
from core.state import actor_or_none, locked

from .models import Listing, ListingImage, StockMovement
from .quality import Problem, check_image_file, check_other_image_file
from .selectors import listing_problems
from .services import stock_adjust
from .signals import listing_changed_send

#: The listing's own fields the editor writes (what Amazon shows of it).
CONTENT_FIELDS = ("title", "brand", "core_function", "key_attributes", "bullets", "description", "product_type",
                  "attributes", "price", "currency", "handling_time_days", "condition")


@dataclass(frozen=True)
class ListingContent:
    """What the editor's form sends: everything Amazon shows of a listing except its stock and images."""

    title: str
    brand: str = ""
    core_function: str = ""
    key_attributes: str = ""
    bullets: list[str] = field(default_factory=list)
    description: str = ""
    product_type: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    price: Decimal | None = None
    currency: str = ""
    handling_time_days: int | None = None
    condition: str = "new_new"

    def values(self) -> dict[str, Any]:
        """The model's values: blank bullets dropped, blank attributes left out, text trimmed."""
        return {
            "title": self.title.strip(), "brand": self.brand.strip(), "core_function": self.core_function.strip(),
            "key_attributes": self.key_attributes.strip(),
            "bullets": [b.strip() for b in self.bullets if b and b.strip()],
            "description": self.description.strip(), "product_type": self.product_type.strip(),
            "attributes": {k: v.strip() if isinstance(v, str) else v for k, v in self.attributes.items()
                           if v not in (None, "") and not (isinstance(v, str) and not v.strip())},
            "price": self.price, "currency": self.currency.strip().upper(),
            "handling_time_days": self.handling_time_days, "condition": self.condition,
        }


def listing_check_role(*, user: User | AnonymousUser, store: Store | int) -> None:
    """Refuse unless ``user`` may edit listings in ``store``."""
    if not user_can(user=user, store=store, permission="listing.edit"):
        raise ApplicationError(_("Your role in this store does not allow editing listings."))


def main_image_problems(listing: Listing) -> list[Problem]:
    """The main image's problems (format, background, fill, size) as its file stands; none without one."""
    if not listing.main_image:
        return []
    try:
        with listing.main_image.open("rb") as file:
            return check_image_file(file)
    except OSError:
        return [Problem("image_unreadable", "error", _("The image file cannot be read."), "main_image")]


def listing_all_problems(listing: Listing) -> list[Problem]:
    """Every problem of the listing: its text and content, and its main image's file."""
    return listing_problems([listing])[listing.pk] + main_image_problems(listing)


def _status_from(listing: Listing, problems: list[Problem]) -> str:
    """A listing with an error is a draft (incomplete); a draft without errors is ready (inactive) until it is
    published; otherwise the status stays."""
    if any(p.is_error for p in problems):
        return Listing.Status.INCOMPLETE
    if listing.status == Listing.Status.INCOMPLETE:
        return Listing.Status.INACTIVE
    return listing.status


def _settle_status(listing: Listing) -> list[Problem]:
    problems = listing_all_problems(listing)
    status = _status_from(listing, problems)
    if status != listing.status:
        listing.status = status
        listing.save(update_fields=["status", "updated_at"])
    return problems


@transaction.atomic
def listing_create(*, store: Store, actor: User, sku: str, content: ListingContent, quantity: int = 0) -> Listing:
    """A new listing of ``store``; ``quantity`` units arrive as its opening stock (a stock movement)."""
    listing_check_role(user=actor, store=store)
    sku = sku.strip()
    if not sku:
        raise ApplicationError(_("Enter a SKU."))
    if quantity < 0:
        raise ApplicationError(_("The opening stock cannot be negative."))
    if Listing.objects.filter(store=store, sku=sku).exists():
        raise ApplicationError(_("%(store)s already has a listing with SKU %(sku)s.") % {"store": store.code,
                                                                                       "sku": sku})
    listing = Listing(store=store, sku=sku, status=Listing.Status.INCOMPLETE, **content.values())
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as error:  # the same SKU created at the same moment
        raise ApplicationError(_("%(store)s already has a listing with SKU %(sku)s.")
                               % {"store": store.code, "sku": sku}) from error
    listing.store = store
    if quantity:
        stock_adjust(listing=listing, available=quantity, reason=StockMovement.Reason.RECEIVE,
                     actor=actor_or_none(actor), note=_("Opening stock"))
        listing.refresh_from_db()
    _settle_status(listing)
    listing_changed_send(listing_ids=[listing.pk], fields=[name for name in CONTENT_FIELDS
                                                           if getattr(listing, name) not in ("", None, [], {})])
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, actor: User, content: ListingContent) -> tuple[Listing, list[str]]:
    """Write ``content`` over the listing; return it and the names of the fields that changed."""
    listing_check_role(user=actor, store=listing.store_id)
    current = locked(listing, "store")
    values = content.values()
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, values[name])
    if changed:
        current.save(update_fields=[*changed, "updated_at"])
    _settle_status(current)
    if changed:
        listing_changed_send(listing_ids=[current.pk], fields=changed)
    return current, changed


@transaction.atomic
def listing_replace_main_image(*, listing: Listing, actor: User, image: UploadedFile) -> tuple[Listing,
                                                                                                 list[Problem]]:
    """Put ``image`` as the main image (the old file is deleted once this commits); return the listing and the
    image's problems, so the page can say at once what is wrong with it and where."""
    listing_check_role(user=actor, store=listing.store_id)
    current = locked(listing, "store")
    old_name = current.main_image.name if current.main_image else ""
    current.main_image.save(image.name or "main.jpg", image, save=False)
    current.save(update_fields=["main_image", "updated_at"])
    if old_name and old_name != current.main_image.name:
        storage = current.main_image.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    _settle_status(current)
    listing_changed_send(listing_ids=[current.pk], fields=["main_image"])
    return current, main_image_problems(current)


@transaction.atomic
def listing_image_add(*, listing: Listing, actor: User, image: UploadedFile) -> tuple[ListingImage, list[Problem]]:
    """Add ``image`` after the listing's other images (at most eight), unless its format or size is refused;
    return it with its warnings."""
    listing_check_role(user=actor, store=listing.store_id)
    problems = check_other_image_file(image, size_bytes=image.size)
    errors = [p.message for p in problems if p.is_error]
    if errors:
        raise ApplicationError(" ".join(errors))
    image.seek(0)
    current = locked(listing)
    positions = set(current.images.values_list("position", flat=True))
    if len(positions) >= ListingImage.MAX_IMAGES:
        raise ApplicationError(_("A listing has at most %(n)d other images; remove one first.")
                               % {"n": ListingImage.MAX_IMAGES})
    position = max(positions, default=0) + 1
    if position > ListingImage.MAX_IMAGES:
        position = min(n for n in range(1, ListingImage.MAX_IMAGES + 1) if n not in positions)
    added = ListingImage(listing=current, position=position)
    added.image.save(image.name or "image.jpg", image, save=False)
    added.save()
    listing_changed_send(listing_ids=[current.pk], fields=["images"])
    return added, problems


@transaction.atomic
def listing_image_remove(*, listing: Listing, actor: User, image_id: int) -> None:
    """Remove one of the other images; those after it move up one place (its file is deleted on commit)."""
    listing_check_role(user=actor, store=listing.store_id)
    current = locked(listing)
    image = current.images.filter(pk=image_id).first()
    if image is None:
        raise ApplicationError(_("That image is no longer on this listing."))
    name, storage = image.image.name or "", image.image.storage
    image.delete()
    # One row at a time, lowest first: each takes the place just freed, so the unique positions never clash.
    for later in current.images.filter(position__gt=image.position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])
    transaction.on_commit(lambda: storage.delete(name))
    listing_changed_send(listing_ids=[current.pk], fields=["images"])


@transaction.atomic
def listing_image_move(*, listing: Listing, actor: User, image_id: int, offset: int) -> None:
    """Move one of the other images ``offset`` places (−1 earlier, +1 later), trading places with its neighbour.

    The two rows keep their positions and trade their files, so no unique position is ever held twice.
    """
    listing_check_role(user=actor, store=listing.store_id)
    current = locked(listing)
    images = list(current.images.select_for_update().order_by("position"))
    index = next((i for i, image in enumerate(images) if image.pk == image_id), None)
    if index is None:
        raise ApplicationError(_("That image is no longer on this listing."))
    other = index + offset
    if offset not in (-1, 1) or not 0 <= other < len(images):
        return
    first, second = images[index], images[other]
    first_name, second_name = first.image.name, second.image.name
    ListingImage.objects.filter(pk=first.pk).update(image=second_name)
    ListingImage.objects.filter(pk=second.pk).update(image=first_name)
    listing_changed_send(listing_ids=[current.pk], fields=["images"])
