"""The listing editor: who may write, what is saved (all or nothing), the live check, the images, the signal."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from listings.models import Listing, ListingImage, StockMovement
from listings.signals import listing_changed
from tests.factories import ListingFactory, MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "/listings/new/"
TITLE = "Anker Wireless Charger 15W, Qi-Certified, Black"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sent():
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    listing_changed.connect(receiver, weak=False)
    yield calls
    listing_changed.disconnect(receiver)


def image_bytes(size: int = 1200, fill: float = 0.9, background=(255, 255, 255), kind: str = "PNG") -> bytes:
    image = Image.new("RGB", (size, size), background)
    side = int(size * fill)
    start = (size - side) // 2
    ImageDraw.Draw(image).rectangle([start, start, start + side - 1, start + side - 1], fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def form_data(store, **overrides) -> dict:
    data = {"store": store.pk, "sku": "AK-WC15-BLK", "product_type": "PRODUCT", "condition": "new_new",
            "brand": "Anker", "core_function": "Wireless Charger 15W", "key_attributes": "Qi-Certified, Black",
            "title": "", "title_auto": "", "bullet_1": "Charges at 15 W", "bullet_2": "Qi certified",
            "bullet_3": "Slim pad", "bullet_4": "", "bullet_5": "", "description": "A wireless charging pad.",
            "price": "29.99", "currency": "USD", "quantity": "40", "handling_time_days": "2",
            "attr_color": "Black", "attr_country_of_origin": "CN",
            "attr_supplier_declared_dg_hz_regulation": "not_applicable", "attr_item_type_keyword": "chargers"}
    data.update(overrides)
    return data


# Who may write ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_may_not_write_listings(client, store, role):
    user = UserFactory(username=role)
    MembershipFactory(user=user, store=store, role=role)
    client.force_login(user)
    listing = ListingFactory(store=store)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(store)).status_code == 403
    assert client.post("/listings/new/validate/", form_data(store)).status_code == 403
    assert client.get(f"/listings/{listing.pk}/edit/").status_code == 403
    assert client.post(f"/listings/{listing.pk}/edit/", form_data(store)).status_code == 403
    upload = SimpleUploadedFile("m.png", image_bytes(), content_type="image/png")
    assert client.post(f"/listings/{listing.pk}/edit/main-image/", {"image": upload}).status_code == 403
    assert Listing.objects.count() == 1
    page = client.get("/listings/").content.decode()
    assert 'id="new-listing"' not in page
    assert 'id="edit-listing"' not in client.get(f"/listings/{listing.pk}/").content.decode()


def test_an_operator_reaches_the_editor_from_the_list_and_the_listing(op_client, store):
    listing = ListingFactory(store=store)
    assert 'href="/listings/new/"' in op_client.get("/listings/").content.decode()
    assert f'href="/listings/{listing.pk}/edit/"' in op_client.get(f"/listings/{listing.pk}/").content.decode()


def test_only_stores_where_the_user_may_edit_are_offered(op_client, store, operator, other_store):
    MembershipFactory(user=operator, store=other_store, role="agent")
    html = op_client.get(NEW).content.decode()
    store_field = html[html.index('id="id_store"'):]
    store_field = store_field[:store_field.index("</select>")]  # the form's store choice, not the top bar's switcher
    assert "ACME-US" in store_field and "OTHER-DE" not in store_field
    response = op_client.post(NEW, form_data(other_store))
    assert response.status_code == 400
    assert not Listing.objects.exists()


def test_another_stores_listing_cannot_be_edited(op_client, other_store):
    listing = ListingFactory(store=other_store)
    assert op_client.get(f"/listings/{listing.pk}/edit/").status_code == 404
    assert op_client.post(f"/listings/{listing.pk}/edit/validate/", {}).status_code == 404


# Creating --------------------------------------------------------------------------------------------------

def test_creating_a_listing_builds_the_title_and_records_the_opening_stock(op_client, store, operator, sent):
    response = op_client.post(NEW, form_data(store))
    assert response.status_code == 302
    listing = Listing.objects.get()
    assert response["Location"] == f"/listings/{listing.pk}/edit/"
    assert listing.title == TITLE
    assert listing.bullets == ["Charges at 15 W", "Qi certified", "Slim pad"]
    assert listing.price == Decimal("29.99") and listing.currency == "USD" and listing.handling_time_days == 2
    assert listing.attributes == {"color": "Black", "country_of_origin": "CN",
                                  "supplier_declared_dg_hz_regulation": "not_applicable",
                                  "item_type_keyword": "chargers"}
    assert listing.quantity_available == 40
    move = listing.movements.get()
    assert (move.available_delta, move.reason, move.actor) == (40, StockMovement.Reason.RECEIVE, operator)
    # No main image yet: an error, so it is kept as a draft.
    assert listing.status == Listing.Status.INCOMPLETE
    assert sent and sent[-1]["listing_ids"] == [listing.pk] and "title" in sent[-1]["fields"]


def test_a_title_typed_by_hand_is_kept(op_client, store):
    op_client.post(NEW, form_data(store, title="Anker 15W Wireless Charging Pad", title_auto=TITLE))
    assert Listing.objects.get().title == "Anker 15W Wireless Charging Pad"


def test_the_currency_defaults_to_the_stores(op_client, operator):
    jp = StoreFactory(code="ACME-JP", marketplace="JP")
    MembershipFactory(user=operator, store=jp, role="operator")
    html = op_client.get(NEW, {"store": jp.pk}).content.decode()
    assert '<option value="JPY" selected>' in html


def test_a_post_with_errors_saves_nothing(op_client, store, sent):
    response = op_client.post(NEW, form_data(store, price="twelve", quantity="-3"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="problems-price"' in html and "Enter a number." in html
    assert not Listing.objects.exists() and not StockMovement.objects.exists() and not sent


def test_a_sku_is_unique_in_its_store(op_client, store):
    ListingFactory(store=store, sku="AK-WC15-BLK")
    response = op_client.post(NEW, form_data(store))
    assert response.status_code == 400
    assert "already has a listing with SKU AK-WC15-BLK" in response.content.decode()
    assert Listing.objects.count() == 1


def test_missing_required_attributes_are_named_and_keep_it_a_draft(op_client, store):
    op_client.post(NEW, form_data(store, product_type="LUGGAGE", attr_color=""))
    listing = Listing.objects.get()
    assert listing.status == Listing.Status.INCOMPLETE
    html = op_client.get(f"/listings/{listing.pk}/edit/").content.decode()
    for name in ("color", "manufacturer", "model_number", "size", "material", "department"):
        assert f'id="problems-attr-{name.replace("_", "-")}"' in html
        assert f"({name}) is required for product type LUGGAGE" in html


# The live check ----------------------------------------------------------------------------------------------

def test_the_live_check_puts_each_problem_beside_its_field(op_client, store):
    response = op_client.post("/listings/new/validate/",
                              form_data(store, core_function="Wireless Charger FREE SHIPPING", bullet_2="x" * 501,
                                        handling_time_days="45"),
                              headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    title = html[html.index('id="problems-title"'):]
    assert 'data-code="title_promotional"' in title[:title.index("</ul>")]
    bullet = html[html.index('id="problems-bullet-2"'):]
    assert 'data-code="bullet_too_long"' in bullet[:bullet.index("</ul>")]
    handling = html[html.index('id="problems-handling-time-days"'):]
    assert 'data-code="handling_time_range"' in handling[:handling.index("</ul>")]
    assert 'id="quality-summary" class="card panel" hx-swap-oob="true"' in html
    # The title follows its parts while it is automatic.
    assert 'value="Anker Wireless Charger FREE SHIPPING, Qi-Certified, Black"' in html
    assert not Listing.objects.exists()


def test_the_live_check_leaves_a_hand_typed_title_alone(op_client, store):
    html = op_client.post("/listings/new/validate/", form_data(store, title="My own title", title_auto=TITLE),
                          headers={"HX-Request": "true"}).content.decode()
    assert 'id="title-field"' not in html
    assert "12 of 200 characters" in html


def test_the_attribute_fields_follow_the_product_type(op_client, store):
    html = op_client.get("/listings/new/attributes/", {"store": store.pk, "product_type": "SHIRT"},
                         headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<fieldset class="ed-section" id="attribute-fields">')
    assert 'name="attr_fabric_type"' in html and 'name="attr_department"' in html
    assert '<select name="attr_country_of_origin"' in html  # a choice where Amazon lists the values


# Editing ---------------------------------------------------------------------------------------------------------

def test_editing_writes_only_what_changed_and_never_the_stock(op_client, store, sent):
    op_client.post(NEW, form_data(store))
    listing = Listing.objects.get()
    sent.clear()
    data = form_data(store, price="24.99", title=TITLE, title_auto=TITLE)
    response = op_client.post(f"/listings/{listing.pk}/edit/", data)
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.price == Decimal("24.99") and listing.quantity_available == 40
    assert listing.movements.count() == 1
    assert sent == [{"signal": listing_changed, "listing_ids": [listing.pk], "fields": ["price"]}]


def test_the_edit_page_links_to_the_stock_adjustment(op_client, store):
    listing = ListingFactory(store=store, quantity_available=7)
    html = op_client.get(f"/listings/{listing.pk}/edit/").content.decode()
    assert 'name="quantity"' not in html and f'href="/listings/{listing.pk}/#stock-panel"' in html


# Images ------------------------------------------------------------------------------------------------------------

def test_the_main_image_is_checked_as_it_lands_and_says_where(op_client, store, sent):
    op_client.post(NEW, form_data(store))
    listing = Listing.objects.get()
    grey = SimpleUploadedFile("grey.jpg", image_bytes(size=800, fill=0.5, background=(235, 235, 235), kind="JPEG"),
                              content_type="image/jpeg")
    html = op_client.post(f"/listings/{listing.pk}/edit/main-image/", {"image": grey},
                          headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<section id="main-image-panel"')
    assert 'data-code="image_background"' in html and "the top-left corner" in html
    assert 'data-code="image_small"' in html and "800 × 800" in html
    listing.refresh_from_db()
    assert listing.status == Listing.Status.INCOMPLETE and sent[-1]["fields"] == ["main_image"]

    good = SimpleUploadedFile("good.png", image_bytes(), content_type="image/png")
    response = op_client.post(f"/listings/{listing.pk}/edit/main-image/", {"image": good},
                              headers={"HX-Request": "true"})
    assert "image-result-ok" in response.content.decode()
    assert response["HX-Trigger"] == "listing-images-changed"
    listing.refresh_from_db()
    assert listing.status == Listing.Status.INACTIVE  # no error left: ready to publish


def test_other_images_are_added_reordered_and_removed(op_client, store, sent):
    listing = ListingFactory(store=store)
    url = f"/listings/{listing.pk}/edit/images/"
    for n in range(3):
        upload = SimpleUploadedFile(f"side{n}.png", image_bytes(size=900 + n), content_type="image/png")
        html = op_client.post(url, {"image": upload}, headers={"HX-Request": "true"}).content.decode()
    assert "at least 1000 px" in html  # a warning, the image is kept
    images = list(listing.images.order_by("position"))
    assert [i.position for i in images] == [1, 2, 3]
    names = [i.image.name for i in images]

    op_client.post(f"{url}{images[2].pk}/move/", {"direction": "up"}, headers={"HX-Request": "true"})
    assert [i.image.name for i in listing.images.order_by("position")] == [names[0], names[2], names[1]]

    op_client.post(f"{url}{images[0].pk}/remove/", headers={"HX-Request": "true"})
    left = list(listing.images.order_by("position"))
    assert [(i.position, i.image.name) for i in left] == [(1, names[2]), (2, names[1])]
    assert {tuple(call["fields"]) for call in sent} == {("images",)}

    tiny = SimpleUploadedFile("tiny.png", image_bytes(size=300), content_type="image/png")
    html = op_client.post(url, {"image": tiny}, headers={"HX-Request": "true"}).content.decode()
    assert "at least 500 px" in html and listing.images.count() == 2


def test_no_more_than_eight_other_images(op_client, store):
    listing = ListingFactory(store=store)
    for n in range(1, 9):
        ListingImage.objects.create(listing=listing, position=n, image=f"listings/x{n}.png")
    upload = SimpleUploadedFile("nine.png", image_bytes(), content_type="image/png")
    html = op_client.post(f"/listings/{listing.pk}/edit/images/", {"image": upload},
                          headers={"HX-Request": "true"}).content.decode()
    assert "at most 8 other images" in html and listing.images.count() == 8
