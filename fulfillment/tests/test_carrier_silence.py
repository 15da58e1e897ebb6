"""A store's own days of silence per carrier: the rule reads them first, the queryset agrees with it, setting them
is all or nothing, and the page shows and changes them by role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from fulfillment.delivery_risk import (
    Parcel,
    Reason,
    at_risk_shipments,
    risk_reasons,
    shipment_silent_days,
    silent_days,
    store_silent_days,
)
from fulfillment.models import Carrier, CarrierSilence, Shipment
from fulfillment.silence import carrier_allowances, carrier_days_set
from orders.models import OrderStatus
from tests.factories import MembershipFactory, OrderFactory, ShipmentFactory, StoreFactory, UserFactory

DAY = timedelta(days=1)


def test_the_stores_own_days_come_before_the_settings_and_the_table(settings):
    settings.DELIVERY_RISK_SILENT_DAYS = {"YunExpress": 12}
    assert silent_days(carrier=Carrier.YUNEXPRESS, marketplace="US") == 12
    assert silent_days(carrier=Carrier.YUNEXPRESS, marketplace="US", store_days={"YunExpress": 4}) == 4
    assert silent_days(carrier=Carrier.UPS, marketplace="US", store_days={"YunExpress": 4}) == 3
    now = timezone.now()
    quiet = Parcel(carrier=Carrier.YUNEXPRESS, marketplace="US", shipped_at=now - 6 * DAY,
                   last_event_at=now - 5 * DAY, latest_delivery_date=now + 9 * DAY)
    assert risk_reasons(quiet, now=now) == ()
    assert risk_reasons(Parcel(**{**vars(quiet), "store_days": (("YunExpress", 4),)}), now=now) == (Reason.SILENT,)


def _silent(store, *, carrier: str, days: int) -> Shipment:
    now = timezone.now()
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED, purchase_date=now - (days + 2) * DAY,
                         latest_delivery_date=now + 20 * DAY)
    return ShipmentFactory(order=order, carrier=carrier, tracking_number=f"YT{store.pk:04d}{days:012d}",
                           shipped_at=now - (days + 1) * DAY, last_event_at=now - days * DAY - timedelta(hours=1),
                           last_event_status="in_transit")


@pytest.mark.django_db
def test_the_queryset_reads_each_stores_own_days():
    slow_line, usual = StoreFactory(code="SLOW-US", marketplace="US"), StoreFactory(code="USUAL-US", marketplace="US")
    CarrierSilence.objects.create(store=slow_line, carrier=Carrier.YUNEXPRESS, days=10)
    CarrierSilence.objects.create(store=usual, carrier=Carrier.USPS, days=1)
    cases = {
        _silent(slow_line, carrier=Carrier.YUNEXPRESS, days=8): False,  # 10 allowed in this store
        _silent(usual, carrier=Carrier.YUNEXPRESS, days=8): True,  # the table's 7
        _silent(usual, carrier=Carrier.USPS, days=1): True,  # the store's 1
        _silent(slow_line, carrier=Carrier.USPS, days=1): False,  # the table's 3
    }
    found = {s.pk: s.risk_days for s in at_risk_shipments(Shipment.objects.filter(pk__in=[s.pk for s in cases]),
                                                          now=timezone.now())}
    assert {s.pk for s, risky in cases.items() if risky} == set(found)
    for shipment in cases:
        if shipment.pk in found:
            assert found[shipment.pk] == shipment_silent_days(shipment)
    assert store_silent_days() == {slow_line.pk: {"YunExpress": 10}, usual.pk: {"USPS": 1}}


@pytest.mark.django_db
def test_setting_days_is_all_or_nothing_and_blank_gives_the_usual_days_back(store, operator):
    carrier_days_set(store=store, days={Carrier.YUNEXPRESS: 10, Carrier.USPS: 2}, actor=operator)
    with pytest.raises(ApplicationError, match="between 1 and 60"):
        carrier_days_set(store=store, days={Carrier.USPS: 5, Carrier.UPS: 61}, actor=operator)
    with pytest.raises(ApplicationError, match="Unknown carrier"):
        carrier_days_set(store=store, days={"Pigeon Post": 5}, actor=operator)
    assert store_silent_days(store_ids=[store.pk]) == {store.pk: {"YunExpress": 10, "USPS": 2}}
    changed = carrier_days_set(store=store, days={Carrier.YUNEXPRESS: None, Carrier.USPS: 2, Carrier.UPS: 4},
                               actor=operator)
    assert changed == 2 and store_silent_days(store_ids=[store.pk]) == {store.pk: {"USPS": 2, "UPS": 4}}
    assert CarrierSilence.objects.get(store=store, carrier=Carrier.UPS).updated_by == operator


@pytest.mark.django_db
def test_the_carriers_shown_are_those_delivering_there_those_used_and_those_set(store, other_store):
    _silent(store, carrier=Carrier.ROYAL_MAIL, days=1)  # a UK carrier the US store shipped with
    CarrierSilence.objects.create(store=store, carrier=Carrier.CORREOS, days=9)
    allowances = {a.carrier: a for a in carrier_allowances(store=store, now=timezone.now())}
    assert {Carrier.USPS, Carrier.UPS, Carrier.YUNEXPRESS, Carrier.ROYAL_MAIL, Carrier.CORREOS} <= set(allowances)
    assert Carrier.POSTE_ITALIANE not in allowances and Carrier.JAPAN_POST not in allowances
    assert not allowances[Carrier.ROYAL_MAIL].delivers_there and allowances[Carrier.USPS].delivers_there
    assert (allowances[Carrier.CORREOS].own_days, allowances[Carrier.CORREOS].days) == (9, 9)
    assert (allowances[Carrier.YUNEXPRESS].own_days, allowances[Carrier.YUNEXPRESS].days) == (None, 7)
    ordered = [a.delivers_there for a in carrier_allowances(store=store, now=timezone.now())]
    assert ordered == sorted(ordered, reverse=True), "the carriers delivering there come first"


# --- The page ----------------------------------------------------------------------------------------------------

def _url(store) -> str:
    return reverse("orders:at-risk-carriers", args=[store.code])


@pytest.mark.django_db
def test_an_operator_sets_a_stores_days_and_the_at_risk_tab_links_there(op_client, store):
    html = op_client.get(reverse("orders:at-risk") + f"?store={store.code}").content.decode()
    assert f'href="{_url(store)}"' in html
    page = op_client.get(_url(store))
    assert page.status_code == 200 and 'name="days:YunExpress"' in page.content.decode()
    saved = op_client.post(_url(store), {"days:YunExpress": "10", "days:USPS": ""}, follow=True)
    assert saved.redirect_chain[-1][0] == _url(store)
    assert "Days of silence saved for ACME-US" in saved.content.decode()
    assert store_silent_days(store_ids=[store.pk]) == {store.pk: {"YunExpress": 10}}
    assert 'name="days:YunExpress" value="10"' in saved.content.decode()
    # The tab says after how many days each parcel counts as silent: a YunExpress parcel quiet for 11 days.
    _silent(store, carrier=Carrier.YUNEXPRESS, days=11)
    tab = op_client.get(reverse("orders:at-risk") + f"?store={store.code}").content.decode()
    assert "10 days allowed" in tab


@pytest.mark.django_db
def test_a_carrier_the_form_did_not_show_keeps_its_days(op_client, store, operator):
    """A colleague set days for another carrier while this page was open: saving the page leaves them alone."""
    carrier_days_set(store=store, days={Carrier.CORREOS: 12}, actor=operator)
    op_client.post(_url(store), {"days:YunExpress": "10"})
    assert store_silent_days(store_ids=[store.pk]) == {store.pk: {"Correos": 12, "YunExpress": 10}}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0", "61", "ten", "-3", "٣"])
def test_a_wrong_number_is_shown_on_its_row_and_nothing_is_saved(op_client, store, typed):
    response = op_client.post(_url(store), {"days:USPS": "2", "days:YunExpress": typed})
    html = response.content.decode()
    assert response.status_code == 400 and "Nothing was saved" in html and "between 1 and 60" in html
    assert f'value="{typed}"' in html and not CarrierSilence.objects.exists()


@pytest.mark.django_db
def test_an_agent_reads_the_days_but_cannot_change_them(client, store):
    CarrierSilence.objects.create(store=store, carrier=Carrier.YUNEXPRESS, days=10)
    agent = UserFactory(username="agent-silence")
    MembershipFactory(user=agent, store=store, role="agent")
    client.force_login(agent)
    page = client.get(_url(store)).content.decode()
    assert 'name="days:' not in page and "Only an operator, a manager or an admin" in page
    assert client.post(_url(store), {"days:YunExpress": "3"}).status_code == 403
    assert CarrierSilence.objects.get(store=store).days == 10


@pytest.mark.django_db
def test_another_stores_page_is_not_found(op_client, other_store):
    assert op_client.get(_url(other_store)).status_code == 404
    assert op_client.post(_url(other_store), {"days:DHL": "3"}).status_code == 404


# --- The API -----------------------------------------------------------------------------------------------------

def _api_url(store) -> str:
    return f"/api/stores/{store.code}/carrier-days/"


@pytest.mark.django_db
def test_the_api_reads_and_sets_a_stores_days(store, operator):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(operator)
    rows = {row["carrier"]: row for row in api.get(_api_url(store)).json()}
    assert rows["YunExpress"] == {"carrier": "YunExpress", "usual_days": 7, "own_days": None, "days": 7,
                                  "delivers_there": True}
    answer = api.put(_api_url(store), {"days": {"YunExpress": 10, "USPS": None}}, format="json")
    assert answer.status_code == 200
    assert {row["carrier"]: row["days"] for row in answer.json()}["YunExpress"] == 10
    refused = api.put(_api_url(store), {"days": {"YunExpress": 3, "UPS": 0}}, format="json")
    bad_carrier = api.put(_api_url(store), {"days": {"Pigeon Post": 3}}, format="json")
    assert refused.status_code == 400 and "UPS" in refused.content.decode()
    assert bad_carrier.status_code == 400 and "Unknown carrier" in bad_carrier.content.decode()
    assert store_silent_days(store_ids=[store.pk]) == {store.pk: {"YunExpress": 10}}


@pytest.mark.django_db
def test_the_api_refuses_an_agent_and_hides_other_stores(store, other_store):
    from rest_framework.test import APIClient

    agent = UserFactory(username="agent-api-silence")
    MembershipFactory(user=agent, store=store, role="agent")
    api = APIClient()
    api.force_authenticate(agent)
    assert api.get(_api_url(store)).status_code == 200
    assert api.put(_api_url(store), {"days": {"YunExpress": 10}}, format="json").status_code == 403
    assert api.get(_api_url(other_store)).status_code == 404
    assert not CarrierSilence.objects.exists()
