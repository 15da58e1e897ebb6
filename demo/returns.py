"""The demo store's returns: the buyer's request, the seller's answer (late, rejected, authorised or refunded
without a return), the parcel coming back, the refund, the close, and the odd negative rating of it all."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP

from listings.models import StockMovement
from returns.models import (
    RETURN_STATES,
    SELLER_FAULT_REASONS,
    Disposition,
    Refund,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
)

from . import catalog
from .context import CENT, Kind, Quota, StoreContext, secs
from .listings import Stock, Stockroom
from .writer import Row

REJECT_IN_POLICY = ("Item shows signs of use", "Original packaging missing")


class Returns:
    def __init__(self, ctx: StoreContext, stockroom: Stockroom) -> None:
        self.ctx, self.stockroom = ctx, stockroom
        self.q_return_bad = Quota(ctx.rng, ctx.profile.return_bad)

    def _event(
        self, order: Row, ret: Row, old: str, at: datetime, note: str = "", *, actor_id: int | None = None
    ) -> None:
        """The entry ``returns.services`` writes on the order's timeline for a return's move from ``old``."""
        labels = dict(ReturnStatus.choices)
        head = f"Return {ret.sku} × {ret.quantity}: {labels[old] if old else '—'} → {labels[ret.status]}"
        self.ctx.event(order, Kind.RETURN, at, note=f"{head}. {note}" if note else head, actor_id=actor_id)

    def _move(self, order: Row, ret: Row, new: str, at: datetime, note: str = "", *, actor_id: int | None) -> None:
        """Move the return to ``new`` along ``RETURN_TRANSITIONS`` (stamping its time field) and record the move."""
        old = RETURN_STATES.move(ret, new, what=f"Return {ret.sku} on {order.amazon_order_id}", at=at)
        self._event(order, ret, old, at, note, actor_id=actor_id)

    def request(self, order: Row, items: list[tuple[Row, Stock]], delivered: datetime) -> None:
        ctx = self.ctx
        rng, now, w, operator = ctx.rng, ctx.now, ctx.writer, ctx.actors.operator_id
        item, stock = rng.choice(items)
        reasons, weights = zip(*catalog.RETURN_REASONS[stock.category], strict=True)
        reason = rng.choices(reasons, weights)[0]
        in_policy = rng.random() < 0.94
        requested = ctx.after(delivered, 12, 24 * (25 if in_policy else 45))
        if not in_policy:
            requested = max(requested, secs(delivered + timedelta(days=31)))
        if requested > now:
            return
        bad = self.q_return_bad() if in_policy else False
        how = rng.choices(("late", "rejected", "negative"), (0.5, 0.25, 0.25))[0] if bad else ""
        quantity = item.quantity if item.quantity <= 2 else 1
        ret = w.add(
            ReturnRequest,
            store_id=ctx.store.pk,
            order_id=order.id,
            order_item_id=item.id,
            sku=item.sku,
            quantity=quantity,
            reason=reason,
            in_policy=in_policy,
            requested_at=requested,
            status=ReturnStatus.REQUESTED,
            amazon_rma_id="D"
            + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))
            + "RMA",
        )
        self._event(order, ret, "", requested, str(ReturnReason(reason).label))
        responded = ctx.after(requested, 49, 110) if how == "late" else ctx.after(requested, 0.5, 40)
        if responded > now:
            return
        ret.responded_at = last = responded
        if how == "rejected" or not in_policy:
            ret.rejected_reason = rng.choice(REJECT_IN_POLICY) if in_policy else "Outside the return window"
            self._move(order, ret, ReturnStatus.REJECTED, responded, ret.rejected_reason, actor_id=operator)
        else:
            amount = (item.item_price * quantity / item.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
            returnless = amount < 15 * catalog.RATES.get(ctx.store.currency, 1) and rng.random() < 0.3
            refund_at: datetime | None = responded if returnless else None
            if not returnless:
                ret.label_provided = reason in SELLER_FAULT_REASONS
                label = "prepaid label" if ret.label_provided else "no label"
                self._move(order, ret, ReturnStatus.AUTHORIZED, responded, label, actor_id=operator)
                received = ctx.after(responded, 72, 288)
                if received <= now:
                    ret.disposition = rng.choices(Disposition.values, (0.6, 0.3, 0.1))[0]
                    if ret.disposition == Disposition.SELLABLE:
                        stock.credit(received, quantity)
                        self.stockroom.move(
                            stock,
                            StockMovement.Reason.RETURN,
                            received,
                            None,
                            available=quantity,
                            actor_id=operator,
                            note=f"Return on order {order.amazon_order_id}",
                        )
                    disposition = str(Disposition(ret.disposition).label)
                    self._move(order, ret, ReturnStatus.RECEIVED, received, disposition, actor_id=operator)
                    last, refund_at = received, ctx.after(received, 2, 48)
            if refund_at is not None and refund_at <= now:
                last = refund_at
                kind = Refund.Kind.FULL
                if ret.disposition == Disposition.DAMAGED and rng.random() < 0.3:
                    kind, amount = Refund.Kind.PARTIAL, (amount / 2).quantize(CENT, rounding=ROUND_HALF_UP)
                w.add(
                    Refund,
                    store_id=ctx.store.pk,
                    order_id=order.id,
                    return_request_id=ret.id,
                    kind=kind,
                    amount=amount,
                    currency=ctx.store.currency,
                    refunded_at=refund_at,
                    actor_id=operator,
                )
                paid = f"{Refund.Kind(kind).label} {amount} {ctx.store.currency}"
                self._move(order, ret, ReturnStatus.REFUNDED, refund_at, paid, actor_id=operator)
        if ret.status in {ReturnStatus.REFUNDED, ReturnStatus.REJECTED} and rng.random() < 0.3:
            closed = ctx.after(last, 24, 240)
            if closed <= now:
                last = closed
                self._move(order, ret, ReturnStatus.CLOSED, closed, actor_id=operator)
        if how == "negative":
            at = ctx.after(last, 24, 120)
            if at <= now:
                ret.negative_feedback_at = at
                ctx.event(order, Kind.RETURN, at, note=f"Return {ret.sku}: negative feedback")
