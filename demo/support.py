"""The demo store's buyer contact: seller feedback (and its removal), A-to-z claims and chargebacks with their
decisions, and message threads with the agent's replies, on time or late."""

from __future__ import annotations

from datetime import datetime, timedelta

from support.deadlines import CLAIM_RESPONSE_DEADLINE
from support.models import CLAIM_STATES, Claim, Feedback, Message, MessageThread

from . import locales
from .context import AFN, MFN, Kind, Quota, StoreContext
from .listings import Stock
from .tracking import follow_up_text
from .writer import Row

CLAIM_REASONS = ("Item not received", "Item not as described", "Item damaged or defective")
CHARGEBACK_REASONS = ("Unauthorised transaction", "Merchandise not received")
#: How long ago the showcased open claims were filed: 60 h (12 h left to respond) and 20 h (52 h left).
SHOWCASE_CLAIM_AGES = (timedelta(hours=60), timedelta(hours=20))
#: A complaint only about the delivery, in each marketplace's language: Amazon removes it on request.
DELIVERY_COMPLAINTS = {
    "en": "Arrived a week late and the box was crushed.",
    "de": "Paket kam eine Woche zu spät an, der Karton war beschädigt.",
    "fr": "Colis arrivé avec une semaine de retard, carton abîmé.",
    "it": "Pacco arrivato con una settimana di ritardo, scatola danneggiata.",
    "es": "El paquete llegó con una semana de retraso y la caja dañada.",
    "ja": "配送が一週間遅れ、箱が潰れていました。",
}


class Support:
    def __init__(self, ctx: StoreContext) -> None:
        self.ctx = ctx
        self.message_seq = 0
        rng, p = ctx.rng, ctx.profile
        # ODR is judged per channel, so each channel gets its own even share of defects.
        self.q_negative = {c: Quota(rng, p.feedback * p.negative_feedback) for c in (MFN, AFN)}
        self.q_a_to_z = {c: Quota(rng, p.a_to_z) for c in (MFN, AFN)}
        self.q_chargeback = {c: Quota(rng, p.chargeback) for c in (MFN, AFN)}
        self.q_late_reply = Quota(rng, p.late_reply)
        self.q_late_reply_recent = Quota(rng, p.late_reply_recent)
        self.q_never_reply = Quota(rng, p.never_reply)
        self.showcased_claims = 0
        self.showcased_feedback: dict[str, int] = {}

    def feedback(self, order: Row, delivered: datetime) -> None:
        if not self._feedback(order, delivered):
            self._showcase_feedback(order, delivered)

    def _showcase_feedback(self, order: Row, delivered: datetime) -> None:
        """The first recent seller-fulfilled order without feedback gets negative feedback that Amazon would remove
        on request (only about the delivery), so the feedback tab shows one at once. (Amazon-fulfilled orders
        already get negative feedback by chance; one more would tip the healthy demo store's FBA defect rate.)"""
        ctx = self.ctx
        wanted = {MFN: 1}
        channel = order.fulfillment_channel
        if self.showcased_feedback.get(channel, 0) >= wanted.get(channel, 0):
            return
        received = delivered + timedelta(days=1)
        if not ctx.now - timedelta(days=60) <= received <= ctx.now - timedelta(hours=6):
            return
        self.showcased_feedback[channel] = self.showcased_feedback.get(channel, 0) + 1
        ctx.writer.add(Feedback, store_id=ctx.store.pk, order_id=order.id, rating=1, received_at=received,
                       comment=DELIVERY_COMPLAINTS.get(ctx.lang, DELIVERY_COMPLAINTS["en"]))

    def _feedback(self, order: Row, delivered: datetime) -> bool:
        ctx = self.ctx
        rng, p = ctx.rng, ctx.profile
        negative = self.q_negative[order.fulfillment_channel]()
        if not negative and rng.random() >= p.feedback * (1 - p.negative_feedback):
            return False
        received = ctx.after(delivered, 6, 24 * min(20, 0.5 + rng.expovariate(1 / 4)))
        if received > ctx.now:
            return False
        if negative:
            rating, tone = rng.choice((1, 1, 2)), "negative"
        else:
            rating = rng.choices((3, 4, 5), (0.06, 0.2, 0.74))[0]
            tone = "neutral" if rating == 3 else "positive"
        feedback = ctx.writer.add(
            Feedback,
            store_id=ctx.store.pk,
            order_id=order.id,
            rating=rating,
            received_at=received,
            comment=locales.text(locales.FEEDBACK[tone], ctx.lang, rng) if rng.random() < 0.8 else "",
        )
        if negative and rng.random() < p.feedback_removed:
            requested = ctx.after(received, 2, 48)
            if requested <= ctx.now:
                feedback.removal_requested_at = requested
                removed = ctx.after(requested, 24, 96)
                feedback.removed_at = removed if removed <= ctx.now else None
        elif negative and rng.random() < 0.5:
            feedback.response = locales.FEEDBACK_RESPONSE.get(ctx.lang, locales.FEEDBACK_RESPONSE["en"])
        return True

    def claims(self, order: Row, delivered: datetime | None) -> None:
        if not self._claims(order, delivered):
            self._showcase_claim(order)

    def _showcase_claim(self, order: Row) -> None:
        """Two open A-to-z claims on recent seller-fulfilled orders, one with less than a day left to respond."""
        ctx = self.ctx
        if order.fulfillment_channel != MFN or self.showcased_claims >= len(SHOWCASE_CLAIM_AGES):
            return
        filed = ctx.now - SHOWCASE_CLAIM_AGES[self.showcased_claims]
        if not order.purchase_date + timedelta(days=5) <= filed:
            return
        self.showcased_claims += 1
        ctx.writer.add(Claim, store_id=ctx.store.pk, order_id=order.id, kind=Claim.Kind.A_TO_Z, filed_at=filed,
                       respond_by=filed + CLAIM_RESPONSE_DEADLINE, amount=order.order_total,
                       reason=CLAIM_REASONS[0])

    def _claims(self, order: Row, delivered: datetime | None) -> bool:
        """The order's claims and chargebacks as chance gives them; whether there was any."""
        ctx = self.ctx
        made = False
        rng, now = ctx.rng, ctx.now
        channel = order.fulfillment_channel
        counting_claim, counting_chargeback = self.q_a_to_z[channel](), self.q_chargeback[channel]()
        base = delivered or order.latest_delivery_date
        for kind, counting, extra in (
            (Claim.Kind.A_TO_Z, counting_claim, 0.001),
            (Claim.Kind.CHARGEBACK, counting_chargeback, 0.0003),
        ):
            if not counting and rng.random() >= extra:
                continue
            filed = ctx.after(base, 48, 24 * 20)
            if filed > now:
                continue
            made = True
            claim = ctx.writer.add(
                Claim,
                store_id=ctx.store.pk,
                order_id=order.id,
                kind=kind,
                filed_at=filed,
                respond_by=filed + CLAIM_RESPONSE_DEADLINE,
                amount=order.order_total,
                reason=rng.choice(CLAIM_REASONS if kind == Claim.Kind.A_TO_Z else CHARGEBACK_REASONS),
            )
            decided = ctx.after(filed, 48, 240)
            if decided > now:
                continue  # still open
            # Each decision moves the claim along its kind's table and stamps the decision's time.
            what, decide = f"{kind} on {order.amazon_order_id}", CLAIM_STATES[kind].move
            if kind == Claim.Kind.CHARGEBACK:
                # The bank decides for the buyer; the seller's representment may reverse it later.
                decide(claim, Claim.Status.GRANTED, what=what, at=decided)
                reversed_at = ctx.after(decided, 24 * 5, 24 * 30)
                if not counting and reversed_at <= now:
                    decide(claim, Claim.Status.REVERSED, what=what, at=reversed_at)
            elif counting:
                decide(claim, Claim.Status.GRANTED, what=what, at=decided)
                withdrawn = ctx.after(decided, 24, 120)
                if rng.random() < 0.15 and withdrawn <= now:
                    decide(claim, Claim.Status.WITHDRAWN, what=what, at=withdrawn)
            elif rng.random() < 0.7:
                decide(claim, Claim.Status.DENIED, what=what, at=decided)
            else:
                decide(claim, Claim.Status.WITHDRAWN, what=what, at=ctx.after(filed, 12, 47))
        return made

    def thread(
        self,
        order: Row,
        items: list[tuple[Row, Stock]],
        shipped: datetime | None,
        delivered: datetime | None,
    ) -> None:
        ctx = self.ctx
        rng, now, w = ctx.rng, ctx.now, ctx.writer
        if delivered is not None:
            topics = ["damaged", "return_question"]
            if any(s.category == "apparel" for _, s in items):
                topics += ["return_question"] * 2
            if order.is_business_order:
                topics += ["invoice"] * 3
            topic, first = rng.choice(topics), ctx.after(delivered, 2, 120)
        elif shipped is not None:
            topic, first = "where_is_order", ctx.after(shipped, 24, 120)
        else:
            topic = rng.choice(("change_address", "where_is_order"))
            first = ctx.after(order.purchase_date, 0.5, 20)
        if first > now:
            return
        subject = locales.SUBJECTS.get(ctx.lang, locales.SUBJECTS["en"]).format(
            buyer=order.buyer_name, order_id=order.amazon_order_id
        )
        thread = w.add(
            MessageThread,
            store_id=ctx.store.pk,
            order_id=order.id,
            buyer_name=order.buyer_name,
            buyer_email=order.buyer_email,
            subject=subject,
            language=ctx.lang,
            last_message_at=first,
            created_at=first,
            assigned_to_id=ctx.actors.agent_id if rng.random() < 0.5 else None,
        )
        body = locales.text(locales.INBOUND[topic], ctx.lang, rng).format(order_id=order.amazon_order_id)
        inbound = self._message(order, thread, Message.Direction.INBOUND, first, subject, body)
        recent = first >= now - timedelta(days=8)
        if not recent and self.q_never_reply():
            return
        reply_at = (
            ctx.after(first, 24.05, 60)
            if (self.q_late_reply_recent if recent else self.q_late_reply)()
            else ctx.after(first, 0.1, 0.2 + 22 * rng.random() ** 3)
        )
        if reply_at > now:
            return
        inbound.replied_at = reply_at
        text = locales.text(locales.OUTBOUND, ctx.lang, rng).format(
            buyer=order.buyer_name, order_id=order.amazon_order_id
        )
        self._message(order, thread, Message.Direction.OUTBOUND, reply_at, f"Re: {subject}", text)
        thanks = ctx.after(reply_at, 1, 48)
        if rng.random() < 0.4 and thanks <= now:
            # A thank-you the agent took out of the reply queue.
            self._message(
                order,
                thread,
                Message.Direction.INBOUND,
                thanks,
                f"Re: {subject}",
                locales.text(locales.INBOUND["thanks"], ctx.lang, rng),
                needs_reply=False,
            )

    def showcase_thread(self, order: Row) -> bool:
        """The thread of a showcased delivery at risk (``demo.tracking``): the buyer asking where the parcel is,
        unanswered, or the operator's message telling them first. Whether the order is one."""
        asks_at = getattr(order, "demo_buyer_asks_at", None)
        told_at = getattr(order, "demo_follow_up_at", None)
        if asks_at is None and told_at is None:
            return False
        ctx = self.ctx
        first = min(at for at in (asks_at, told_at) if at is not None)
        subject = locales.SUBJECTS.get(ctx.lang, locales.SUBJECTS["en"]).format(
            buyer=order.buyer_name, order_id=order.amazon_order_id)
        thread = ctx.writer.add(MessageThread, store_id=ctx.store.pk, order_id=order.id, buyer_name=order.buyer_name,
                                buyer_email=order.buyer_email, subject=subject, language=ctx.lang,
                                last_message_at=first, created_at=first)
        if asks_at is not None:
            body = locales.INBOUND["where_is_order"].get(ctx.lang, locales.INBOUND["where_is_order"]["en"])[0]
            self._message(order, thread, Message.Direction.INBOUND, asks_at, subject,
                          body.format(order_id=order.amazon_order_id))
        if told_at is not None:
            self._message(order, thread, Message.Direction.OUTBOUND, told_at, subject,
                          follow_up_text(ctx.lang, order.amazon_order_id), author_id=ctx.actors.operator_id)
        return True

    def _message(
        self,
        order: Row,
        thread: Row,
        direction: str,
        at: datetime,
        subject: str,
        body: str,
        *,
        needs_reply: bool = True,
        author_id: int | None = None,
    ) -> Row:
        ctx = self.ctx
        inbound = direction == Message.Direction.INBOUND
        agent = author_id or ctx.actors.agent_id
        if inbound:
            self.message_seq += 1
            message_id = f"<{ctx.rng.getrandbits(64):016x}.{self.message_seq}@{ctx.relay_domain}>"
        message = ctx.writer.add(
            Message,
            store_id=ctx.store.pk,
            thread_id=thread.id,
            direction=direction,
            message_id=message_id if inbound else "",
            sender=thread.buyer_email if inbound else ctx.actors.agent_email,
            subject=subject,
            body=body,
            sent_at=at,
            needs_reply=inbound and needs_reply,
            no_reply_needed_by_id=agent if inbound and not needs_reply else None,
            author_id=None if inbound else agent,
        )
        thread.last_message_at = max(thread.last_message_at, at)
        note = "Message from the buyer" if inbound else "Reply to the buyer"
        ctx.event(order, Kind.MESSAGE, at, note=f"{note}: {body[:200]}", actor_id=None if inbound else agent)
        return message
