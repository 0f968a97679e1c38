"""Splits as rows and data frames: one row per settlement line, for analysis in a notebook.

:func:`split_rows` gives plain rows (the exact :class:`~fenxiao.money.Money` of each line); :func:`splits_frame`
gives a pandas, polars or pyarrow frame labelled as every fenxiao frame is (``amount_fen`` int64 and
``amount_yuan`` float64 for plotting; ``exact=True`` keeps integer fen only).

>>> from datetime import datetime, timedelta, timezone
>>> from fenxiao.money import Money, Rate
>>> from fenxiao.settlement.orders import Order, OrderTerms
>>> from fenxiao.settlement.profiles import PlatformProfile
>>> from fenxiao.settlement.splits import split
>>> order = Order(id="o-1", merchant_id="m-1", sku_id="s-1", influencer_id="k-1", paid=Money.of("99.90"),
...               paid_at=datetime(2026, 11, 11, 20, tzinfo=timezone(timedelta(hours=8))),
...               terms=OrderTerms(commission_rate=Rate.of("20%"), leader_id="tl-1",
...                                 leader_fee_rate=Rate.of("5%")))
>>> frame = splits_frame([split(order, PlatformProfile.default())])
>>> frame[["party", "amount_fen", "amount_yuan"]].values.tolist()
[['influencer', 1998, 19.98],
 ['platform_commission_fee', 0, 0.0],
 ['team_leader', 499, 4.99],
 ['platform_tech_fee', 499, 4.99],
 ['merchant', 6994, 69.94]]
>>> str(frame["party_zh"].iloc[0]), int(frame["amount_fen"].sum()) == order.paid.fen
('达人佣金', True)

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from fenxiao._internal.frames import rows_to_frame
from fenxiao._internal.validators import checks_arguments, checks_arguments_on_failure
from fenxiao.errors import InvalidValueError
from fenxiao.settlement.splits import OrderSplit

__all__ = ["SPLIT_COLUMNS", "split_rows", "splits_frame"]

#: The columns of :func:`split_rows`, in order: the order, its status, the line's party (its value and Chinese
#: label), who is paid (``None`` for a party without a payee id) and the amount.
SPLIT_COLUMNS: Final = ("order_id", "status", "party", "party_zh", "payee_id", "amount")


@checks_arguments_on_failure  # its own checks first: one split given alone is told to be wrapped in a list
def split_rows(splits: Iterable[OrderSplit]) -> list[dict[str, object]]:
    """One row per settlement line of each split, in the splits' order and each split's line order.

    Raises:
        InvalidValueError: An item that is not an :class:`~fenxiao.settlement.splits.OrderSplit` (named by index).
    """
    if isinstance(splits, OrderSplit):
        raise InvalidValueError("split_rows.splits", splits, "must be a list of OrderSplits (wrap one in a list)")
    rows: list[dict[str, object]] = []
    for i, item in enumerate(splits):
        if not isinstance(item, OrderSplit):
            raise InvalidValueError(f"split_rows.splits[{i}]", item, "must be an OrderSplit")
        for line in item.lines:
            rows.append(
                {
                    "order_id": item.order_id,
                    "status": item.status.value,
                    "party": line.party.value,
                    "party_zh": line.party.label_zh,
                    "payee_id": line.payee_id,
                    "amount": line.amount,
                }
            )
    return rows


@checks_arguments
def splits_frame(splits: Iterable[OrderSplit], backend: str = "pandas", *, exact: bool = False) -> Any:
    """:func:`split_rows` as a pandas, polars or pyarrow frame (needs narwhals and that library), labelled for
    analysis: ``amount_fen`` (int64) and ``amount_yuan`` (float64); ``exact=True`` keeps ``amount`` as integer fen.

    Raises:
        InvalidValueError: A bad item or backend.
        MissingExtraError: narwhals or the frame library is not installed.
    """
    return rows_to_frame(split_rows(splits), SPLIT_COLUMNS, backend, "splits_frame", exact=exact)
