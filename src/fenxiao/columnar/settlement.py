"""Columnar settlement: split N orders at once in int64 fen, exactly as :func:`fenxiao.settlement.splits.split` does.

Each row is one order line in its current state (what was paid, the rates agreed, what has been refunded so
far, whether it became invalid). :func:`settle_columns` returns every party's line as a fen column, computed
by the object path's own formula (:func:`fenxiao.settlement.arithmetic.split_amounts`, applied to int64 columns),
so that for every row the lines add up exactly to ``total_in_fen``.

>>> import numpy as np
>>> orders = {
...     "paid_fen": np.array([9990, 1, 100_000]),
...     "commission_ppm": np.array([200_000, 200_000, 300_000]),
...     "leader_fee_ppm": np.ma.masked_array([50_000, 0, 0], mask=[False, True, True]),
...     "refunded_fen": np.array([0, 0, 50_000]),
... }
>>> lines = settle_columns(orders)
>>> lines["influencer_fen"].tolist(), lines["team_leader_fen"].tolist(), lines["merchant_fen"].tolist()
([1998, 0, 15000], [499, 0, 0], [6994, 1, 32500])
>>> bool((sum(lines[c] for c in LINE_COLUMNS) == lines["total_in_fen"]).all())
True

Input columns (integers in the unit named; Decimal columns in yuan or as fractions; see ``docs/columnar.md``):

=========================  ==========  ===============================================================
column                     unit        meaning (default when the column is absent)
=========================  ==========  ===============================================================
``paid_fen``               fen         what the buyer paid for the goods, above zero (required)
``commission_ppm``         ppm         the commission rate (required)
``shipping_fen``           fen         shipping paid by the buyer (0)
``subsidy_fen``            fen         the platform's subsidy (0)
``refunded_fen``           fen         refunds so far, at most paid + shipping (0)
``invalid``                flag        the order became invalid: no commission or leader fee (false)
``own_stream``             flag        the merchant's own stream (自播): no influencer, so a 0% commission
                                       and no leader or MCN; commission bounds and floors do not apply (false)
``leader_fee_ppm``         ppm         the first-level leader's fee; missing: no leader
``second_leader_fee_ppm``  ppm         the second-level leader's fee; missing: none (needs a leader)
``mcn_share_ppm``          ppm         the MCN's share of the influencer's net; missing: no MCN
``tech_fee_ppm``           ppm         the technical fee; missing: the profile's rate for the category
``category_id``            text        the third-level category (the profile's rules match it first)
``category_level1``        text        the first-level category name (rules match it next)
``plan_kind``              text        the winning plan's kind (per-kind bounds), e.g. ``"exclusive"``
=========================  ==========  ===============================================================

Bounds: amounts are at most :data:`~fenxiao.money.MAX_FEN` (and ``paid + shipping + subsidy`` too), rates at
most 1,000,000 ppm; a value past them raises :class:`~fenxiao.errors.InvalidValueError` naming the column and
the row. Within them no intermediate can overflow: products that would leave int64 are detected and computed
with Python ints (exact, slower; they need orders beyond ¥40 billion).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import attrs
import numpy as np

from fenxiao._internal.progress import Progress, chunks, reporter
from fenxiao.columnar._columns import Columns, IntColumn, TextColumn
from fenxiao.columnar._frames import read, write
from fenxiao.columnar._intmath import INT64_MAX, BoolArray, Int64Array
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.money import MAX_FEN, PPM, Rate
from fenxiao.settlement import arithmetic
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.orders import Order, OrderStatus
from fenxiao.settlement.profiles import CategoryRule, PlatformProfile
from fenxiao.settlement.splits import Party
from fenxiao.settlement.steps import CommissionStep, StepMode, schedule

__all__ = ["LINE_COLUMNS", "ORDER_COLUMNS", "SETTLEMENT_COLUMNS", "order_columns", "settle_columns"]

#: The input columns :func:`settle_columns` reads.
ORDER_COLUMNS: Final = (
    "paid_fen",
    "commission_ppm",
    "shipping_fen",
    "subsidy_fen",
    "refunded_fen",
    "invalid",
    "own_stream",
    "leader_fee_ppm",
    "second_leader_fee_ppm",
    "mcn_share_ppm",
    "tech_fee_ppm",
    "category_id",
    "category_level1",
    "plan_kind",
)
#: One fen column per :class:`~fenxiao.settlement.splits.Party`, in its order: together they add up to ``total_in_fen``.
LINE_COLUMNS: Final = tuple(f"{party.value}_fen" for party in Party)
#: Every column :func:`settle_columns` writes: the lines, then the base, the gross commission and what came in.
SETTLEMENT_COLUMNS: Final = (*LINE_COLUMNS, "base_fen", "commission_fen", "total_in_fen")
#: Rows per chunk: big enough that NumPy's per-call overhead vanishes, small enough to bound the intermediates.
DEFAULT_CHUNK_ROWS: Final = 1 << 20


def settle_columns(
    orders: Any,
    profile: PlatformProfile | None = None,
    *,
    steps: Sequence[CommissionStep] = (),
    step_mode: StepMode = StepMode.SLAB,
    keep: Sequence[str] = ("order_id",),
    progress: Progress = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
) -> Any:
    """Split every order (row) of *orders* into every party's line, in fen.

    Args:
        orders: A mapping of column names to arrays, or a pandas, polars or pyarrow frame (see the module's
            table of columns).
        profile: The platform's rules; :class:`~fenxiao.settlement.profiles.PlatformProfile` defaults when ``None``.
        steps: Tiered commission steps shared by every order (group orders by schedule to use several).
        step_mode: How *steps* apply.
        keep: Input columns to carry into the result (when present), e.g. an order id.
        progress: ``progress(done, total)`` after each chunk, or ``True`` for a tqdm bar.
        chunk_size: Rows computed at a time.

    Returns:
        :data:`SETTLEMENT_COLUMNS` as int64 arrays (a ``dict`` for a mapping input, else a frame of the same
        library), after the *keep* columns.

    Raises:
        InvalidValueError: A column missing, of the wrong kind, or a value past its bounds (naming the row).
        PolicyError: A row's rates break *profile* (the same message :func:`fenxiao.settlement.splits.split` gives).

    .. versionadded:: 0.1
    """
    profile = _profile(profile)
    columns, frame = read(orders, "orders")
    steps = _steps(steps, step_mode)
    inputs = _Inputs.read(columns, profile)
    _check_rates(inputs, profile, steps, columns.what)
    n = columns.length
    with reporter(progress, n, "settle") as advance:
        if n <= chunk_size:  # one chunk: keep its arrays, copy nothing
            out = _split(inputs, profile, steps, step_mode)
            advance(n)
        else:
            out = {name: np.empty(n, dtype=np.int64) for name in SETTLEMENT_COLUMNS}
            for part in chunks(n, chunk_size):
                for name, values in _split(inputs.take(part), profile, steps, step_mode).items():
                    out[name][part] = values
                advance(part.stop - part.start)
    return write(frame, columns, out, keep)


def _profile(profile: PlatformProfile | None) -> PlatformProfile:
    if profile is None:
        return PlatformProfile.default()
    if not isinstance(profile, PlatformProfile):
        raise InvalidValueError("settle_columns.profile", profile, "must be a PlatformProfile")
    return profile


def _steps(steps: Sequence[CommissionStep], mode: StepMode) -> tuple[CommissionStep, ...]:
    if not isinstance(mode, StepMode):
        raise InvalidValueError("settle_columns.step_mode", mode, "must be a StepMode")
    result = tuple(steps)
    previous = 0
    for i, step in enumerate(result):
        if not isinstance(step, CommissionStep):
            raise InvalidValueError(f"settle_columns.steps[{i}]", step, "must be a CommissionStep")
        if step.threshold.fen <= previous:
            raise InvalidValueError(
                f"settle_columns.steps[{i}].threshold", step.threshold, "must be above the previous threshold"
            )
        previous = step.threshold.fen
    return result


@attrs.frozen(eq=False)
class _Inputs:
    """The order columns, read and checked (internal): amounts in fen, rates in ppm, one entry per row.

    Optional rates (leader, second leader, MCN) hold 0 where the order has none; ``tech`` is each row's
    technical fee rate already resolved (its own, else its category rule's, else the profile's); ``rule`` is the
    index of the profile's category rule for the row (-1: none) and ``used_rules`` every index that occurs.
    """

    paid: Int64Array
    shipping: Int64Array
    subsidy: Int64Array
    refunded: Int64Array
    void: BoolArray
    commission: Int64Array
    leader: IntColumn
    second: IntColumn
    mcn: IntColumn
    tech: Int64Array
    category: TextColumn
    level1: TextColumn
    rule: Int64Array
    used_rules: list[int]
    kind: TextColumn
    own: BoolArray

    @classmethod
    def read(cls, columns: Columns, profile: PlatformProfile) -> _Inputs:
        def money(name: str, low: int = 0) -> Int64Array:
            return columns.ints(name, 2, low=low, high=MAX_FEN, default=None if name == "paid_fen" else 0).values

        def rate(name: str, **kw: Any) -> IntColumn:
            return columns.ints(name, 6, low=0, high=PPM, **kw)

        paid, shipping, subsidy = money("paid_fen", 1), money("shipping_fen"), money("subsidy_fen")
        refunded = money("refunded_fen")
        what = columns.what
        # Each amount is within MAX_FEN already: their sum needs a check only where shipping or subsidy is given,
        # and refunds only where there are any (absent columns are zero).
        if shipping.any() or subsidy.any():
            _first_bad(paid + shipping + subsidy > MAX_FEN, f"{what}.subsidy_fen", "paid + shipping + subsidy", MAX_FEN)
        over = refunded > paid + shipping if refunded.any() else None
        if over is not None and over.any():
            i = int(np.flatnonzero(over)[0])
            raise InvalidValueError(
                f"{what}.refunded_fen[{i}]",
                int(refunded[i]),
                f"exceeds what was paid ({int(paid[i]) + int(shipping[i])} fen with shipping)",
            )
        leader = rate("leader_fee_ppm", nullable=True)
        second = rate("second_leader_fee_ppm", nullable=True)
        has_second = _present(second)
        orphan = has_second & ~_present(leader)
        if orphan.any():
            i = int(np.flatnonzero(orphan)[0])
            raise InvalidValueError(
                f"{what}.second_leader_fee_ppm[{i}]", int(second.values[i]), "needs a first-level leader fee"
            )
        above = has_second & (second.values > leader.values)
        if above.any():
            i = int(np.flatnonzero(above)[0])
            raise InvalidValueError(
                f"{what}.second_leader_fee_ppm[{i}]",
                int(second.values[i]),
                f"must not exceed the first-level fee ({int(leader.values[i])} ppm)",
            )
        category = _text(columns, "category_id")
        level1 = _text(columns, "category_level1")
        rule, used_rules = _rule_per_row(profile, category, level1)
        tech_given = rate("tech_fee_ppm", nullable=True)
        if used_rules:
            rule_tech = [r.tech_fee_rate.ppm if r.tech_fee_rate is not None else None for r in profile.category_rules]
            default = profile.tech_fee_rate.ppm
            by_rule = np.array([default if t is None else t for t in rule_tech] + [default], dtype=np.int64)[rule]
        else:
            tech_ppm = profile.tech_fee_rate.ppm
            by_rule = (
                np.zeros(columns.length, dtype=np.int64)
                if tech_ppm == 0
                else np.full(columns.length, tech_ppm, dtype=np.int64)
            )
        if tech_given.valid is not None and not tech_given.valid.any():
            tech = by_rule  # no row gives its own technical fee
        else:
            tech = np.where(_present(tech_given), tech_given.values, by_rule)
        commission = rate("commission_ppm").values
        mcn = rate("mcn_share_ppm", nullable=True)
        own = columns.flags("own_stream", default=False)
        if own.any():
            _check_own_stream(own, commission, leader, mcn, what)
        kind = _text(columns, "plan_kind")
        for label in kind.labels:
            try:
                PlanKind(label)
            except ValueError:
                allowed = ", ".join(k.value for k in PlanKind)
                raise InvalidValueError(f"{what}.plan_kind", label, f"must be one of {allowed}") from None
        return cls(
            paid=paid,
            shipping=shipping,
            subsidy=subsidy,
            refunded=refunded,
            void=columns.flags("invalid", default=False),
            commission=commission,
            leader=leader,
            second=second,
            mcn=mcn,
            tech=tech,
            category=category,
            level1=level1,
            rule=rule,
            used_rules=used_rules,
            kind=kind,
            own=own,
        )

    def take(self, part: slice) -> _Inputs:
        """These inputs for the rows in *part*."""
        return _Inputs(
            paid=self.paid[part],
            shipping=self.shipping[part],
            subsidy=self.subsidy[part],
            refunded=self.refunded[part],
            void=self.void[part],
            commission=self.commission[part],
            leader=self.leader.take(part),
            second=self.second.take(part),
            mcn=self.mcn.take(part),
            tech=self.tech[part],
            category=self.category.take(part),
            level1=self.level1.take(part),
            rule=self.rule[part],
            used_rules=self.used_rules,
            kind=self.kind.take(part),
            own=self.own[part],
        )


def _check_own_stream(own: BoolArray, commission: Int64Array, leader: IntColumn, mcn: IntColumn, what: str) -> None:
    """An own-stream row pays nobody but the platform: 0% commission, no leader, no MCN (as :class:`Order` checks)."""
    for name, bad in (
        ("commission_ppm", own & (commission != 0)),
        ("leader_fee_ppm", own & _present(leader)),
        ("mcn_share_ppm", own & _present(mcn) & (mcn.values != 0)),
    ):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = (
                int(commission[i])
                if name == "commission_ppm"
                else int((leader if name == "leader_fee_ppm" else mcn).values[i])
            )
            problem = (
                "must be 0 on an own-stream order"
                if name == "commission_ppm"
                else "must be missing on an own-stream order"
            )
            raise InvalidValueError(f"{what}.{name}[{i}]", value, problem)


def _text(columns: Columns, name: str) -> TextColumn:
    """Text column *name*; an absent one is all missing (-1) as a read-only view of one value, not n codes."""
    if name not in columns.names:
        return TextColumn(_missing(columns.length), ())
    return columns.text(name)


def _missing(n: int) -> Int64Array:
    """*n* codes -1 (missing, or no rule) as a read-only view of one value: no memory written per row."""
    return np.broadcast_to(np.int64(-1), (n,))


def _present(column: IntColumn) -> BoolArray:
    if column.valid is None:
        return np.ones(column.values.shape[0], dtype=np.bool_)
    return column.valid


def _first_bad(mask: BoolArray, path: str, what: str, limit: int) -> None:
    if mask.any():
        i = int(np.flatnonzero(mask)[0])
        raise InvalidValueError(f"{path}[{i}]", what, f"must total at most {limit} fen")


# -- the profile's rate checks, vectorized ------------------------------------------------------------------


def _per_rule(
    rules: Sequence[CategoryRule | None], field: Callable[[CategoryRule], Rate | None], absent: int
) -> Int64Array:
    """One rate per rule (in ppm), *absent* where there is no rule or it leaves the rate unset."""
    values = []
    for rule in rules:
        rate = field(rule) if rule is not None else None
        values.append(absent if rate is None else rate.ppm)
    return np.array(values, dtype=np.int64)


def _rule_per_row(profile: PlatformProfile, category: TextColumn, level1: TextColumn) -> tuple[Int64Array, list[int]]:
    """Per row, the index of the profile's category rule that applies (-1: none): the id's, else the first level's;
    and the indices of the rules any row may use.

    The same choice as :meth:`PlatformProfile.rule_for <fenxiao.settlement.profiles.PlatformProfile.rule_for>` on an
    order's ``category_keys``.
    """
    by_match = {rule.match: k for k, rule in enumerate(profile.category_rules)}
    id_rules = [by_match.get(label, -1) for label in category.labels]
    level1_rules = [by_match.get(label, -1) for label in level1.labels]
    used = sorted({k for k in (*id_rules, *level1_rules) if k >= 0})
    n = category.codes.shape[0]
    if not used:  # no row's category has a rule: skip the gathers
        return _missing(n), []
    by_id = np.array([*id_rules, -1], dtype=np.int64)
    by_level1 = np.array([*level1_rules, -1], dtype=np.int64)
    first = by_id[category.codes]
    result: Int64Array = np.where(first >= 0, first, by_level1[level1.codes])
    return result, used


def _bounds(inputs: _Inputs, profile: PlatformProfile) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Per row: the lowest and highest commission allowed, and the category's minimum leader fee (-1: none)."""
    rules: list[CategoryRule | None] = [*profile.category_rules, None]
    rule_low = _per_rule(rules, lambda r: r.min_commission, 0)
    rule_high = _per_rule(rules, lambda r: r.max_commission, PPM)
    rule_leader = _per_rule(rules, lambda r: r.min_leader_fee, -1)
    kinds = [PlanKind(label) for label in inputs.kind.labels] + [None]
    kind_low = np.zeros(len(kinds), dtype=np.int64)
    kind_high = np.full(len(kinds), PPM, dtype=np.int64)
    for i, kind in enumerate(kinds):
        for bounds in profile.kind_bounds:
            if bounds.kind is kind:
                kind_low[i] = bounds.min_commission.ppm
                kind_high[i] = bounds.max_commission.ppm
    rule = inputs.rule
    kind_code = inputs.kind.codes
    low = np.maximum(np.maximum(profile.commission_min.ppm, kind_low[kind_code]), rule_low[rule])
    high = np.minimum(np.minimum(profile.commission_max.ppm, kind_high[kind_code]), rule_high[rule])
    return low, high, rule_leader[rule]


def _surely_within(inputs: _Inputs, profile: PlatformProfile, steps: Sequence[CommissionStep]) -> bool:
    """Whether whole-column extremes already show every row within *profile* (the common case: a few reductions
    instead of a dozen row-wise passes). ``False`` means: check row by row."""
    present = [profile.category_rules[k] for k in inputs.used_rules]
    used_kinds = [PlanKind(label) for label in inputs.kind.labels]  # every kind a row may name
    lows = [profile.commission_min.ppm] + [r.min_commission.ppm for r in present if r.min_commission is not None]
    highs = [profile.commission_max.ppm] + [r.max_commission.ppm for r in present if r.max_commission is not None]
    floors = [r.min_leader_fee.ppm for r in present if r.min_leader_fee is not None]
    for bounds in profile.kind_bounds:
        if bounds.kind in used_kinds:
            lows.append(bounds.min_commission.ppm)
            highs.append(bounds.max_commission.ppm)
    rates = inputs.commission
    step_rates = [s.rate.ppm for s in steps]
    rate_low = min([int(rates.min()), *step_rates])
    rate_high = max([int(rates.max()), *step_rates])
    if rate_low < max(lows) or rate_high > min(highs):
        return False
    leader = inputs.leader.values  # 0 where there is no leader
    if inputs.leader.valid is None or inputs.leader.valid.any():
        # Rows without a leader count here too (their leader is 0): a rate alone above the cap sends the check
        # row by row, which then applies the cap only where it belongs.
        limit = profile.combined_cap.ppm - (0 if profile.combined_cap_inclusive else 1)
        if int((rates + leader).max()) > limit or (step_rates and int(leader.max()) + max(step_rates) > limit):
            return False
        if floors and int(np.min(leader, where=_present(inputs.leader), initial=PPM)) < max(floors):
            return False
        if int(leader.max()) > profile.leader_fee_max.ppm or bool(_second_over_share(inputs, profile).any()):
            return False
    tech = inputs.tech
    if int(leader.max()) + int(tech.max()) + rate_high <= PPM:  # bounds each row's sum: no row-wise sum needed
        return True
    return int((leader + tech).max()) + rate_high <= PPM


def _check_rates(inputs: _Inputs, profile: PlatformProfile, steps: Sequence[CommissionStep], what: str) -> None:
    """Raise the object path's :class:`PolicyError` for the first row whose rates break *profile*."""
    n = inputs.paid.shape[0]
    if n == 0 or _surely_within(inputs, profile, steps):
        return
    low, high, min_leader = _bounds(inputs, profile)
    has_leader = _present(inputs.leader)
    leader = np.where(has_leader, inputs.leader.values, 0)
    cap = profile.combined_cap.ppm
    bad = np.zeros(n, dtype=np.bool_)
    rates: list[Int64Array | int] = [inputs.commission, *(s.rate.ppm for s in steps)]
    # An own-stream row (自播) has no influencer: the commission bounds and floors, which protect one, do not apply.
    bounded = ~inputs.own if inputs.own.any() else True
    for rate in rates:
        bad |= ((rate < low) | (rate > high)) & bounded
        total = rate + leader
        over_cap = (total > cap) | ((total == cap) & (not profile.combined_cap_inclusive))
        bad |= has_leader & (over_cap | ((min_leader >= 0) & (leader < min_leader)))
        bad |= rate + leader + inputs.tech > PPM
    bad |= has_leader & (leader > profile.leader_fee_max.ppm)
    bad |= _second_over_share(inputs, profile)
    if bad.any():
        _raise_for_row(inputs, int(np.flatnonzero(bad)[0]), profile, steps, what)


def _second_over_share(inputs: _Inputs, profile: PlatformProfile) -> BoolArray:
    """Per row: a second-level fee above the profile's share of the first-level fee (the object path's
    :meth:`~fenxiao.settlement.profiles.PlatformProfile.check_second_level`), in exact integers."""
    share = profile.second_level_max_share.ppm
    n = inputs.paid.shape[0]
    if share >= PPM:  # the second fee is already checked to be at most the first
        return np.zeros(n, dtype=np.bool_)
    # second and leader are at most 10**6 ppm, so second * 10**6 and share * leader fit in int64
    over: BoolArray = _present(inputs.second) & (inputs.second.values * PPM > share * inputs.leader.values)
    return over


def _raise_for_row(
    inputs: _Inputs, i: int, profile: PlatformProfile, steps: Sequence[CommissionStep], what: str
) -> None:
    keys = tuple(column.labels[column.codes[i]] for column in (inputs.category, inputs.level1) if column.codes[i] >= 0)
    kind = PlanKind(inputs.kind.labels[inputs.kind.codes[i]]) if inputs.kind.codes[i] >= 0 else None
    fee = Rate.from_ppm(int(inputs.leader.values[i])) if _present(inputs.leader)[i] else None
    tech = Rate.from_ppm(int(inputs.tech[i]))
    rates = [("commission_ppm", int(inputs.commission[i]))]
    rates += [(f"steps[{k}].rate", s.rate.ppm) for k, s in enumerate(steps)]
    for name, ppm in rates:
        rate = Rate.from_ppm(ppm)
        path = f"{what}[{i}].{name}"
        profile.check_commission(rate, kind=kind, category=keys, leader_fee=fee, path=path)
        if rate.ppm + (fee.ppm if fee is not None else 0) + tech.ppm > PPM:
            raise PolicyError(path, rate, f"plus the leader fee and the technical fee ({tech}) exceeds 100%")
    if fee is not None and _present(inputs.second)[i]:
        second = Rate.from_ppm(int(inputs.second.values[i]))
        profile.check_second_level(second, first_level=fee, path=f"{what}[{i}].second_leader_fee_ppm")
    raise PolicyError(f"{what}[{i}]", rates, "breaks the profile's rules")  # pragma: no cover - checked above


# -- the split --------------------------------------------------------------------------------------------


class _ArrayOps:
    """:class:`~fenxiao.settlement.arithmetic.Ops` for int64 arrays: NumPy's, with ``where`` skipping a mask
    that holds nowhere (most chunks have no invalid order)."""

    minimum: Final = staticmethod(np.minimum)
    maximum: Final = staticmethod(np.maximum)

    @staticmethod
    def where(condition: Any, a: Any, b: Any, /) -> Any:
        return np.where(condition, a, b) if condition.any() else b


_ARRAYS: Final = _ArrayOps()
# Every product the split forms is at most (paid + shipping) × 10**6 or subsidy × paid; below this it fits in
# int64 with room for the rounding's 2 × remainder (orders below ¥46 billion).
_SAFE: Final = INT64_MAX // 2
_SAFE_FLOAT: Final = 2.0**62  # a float bound for the same test, with room for the float's relative error


def _or_zero(column: Int64Array) -> Int64Array | int:
    """*column*, or the int 0 when it is zero on every row."""
    return column if column.any() else 0


def _split(
    inputs: _Inputs, profile: PlatformProfile, steps: Sequence[CommissionStep], mode: StepMode
) -> dict[str, Any]:
    """The split of every row: :func:`fenxiao.settlement.arithmetic.split_amounts` on the int64 columns.

    Rows whose products could leave int64 (orders beyond ¥46 billion) are computed by the same function on
    Python ints, row by row, which is exact.
    """
    paid, shipping, subsidy, refunded = inputs.paid, inputs.shipping, inputs.subsidy, inputs.refunded
    top = int((paid + shipping).max()) if paid.size else 0
    high_subsidy = int(subsidy.max()) if subsidy.size else 0
    risky: BoolArray | None = None
    if top * PPM > _SAFE or high_subsidy * top > _SAFE:
        risky = (paid + shipping) > _SAFE // PPM
        risky |= subsidy.astype(np.float64) * paid.astype(np.float64) >= _SAFE_FLOAT
        # the vector pass computes harmless stand-ins for these rows (paid 1, nothing else) and is then corrected
        paid = np.where(risky, 1, paid)
        shipping, subsidy, refunded = (np.where(risky, 0, column) for column in (shipping, subsidy, refunded))
    ladder = schedule(steps)
    marginal = mode is StepMode.MARGINAL
    rates = (inputs.commission, inputs.mcn.values, inputs.leader.values, inputs.second.values, inputs.tech)
    # A column that is zero on every row (an absent party or amount: missing values are 0) goes in as the int 0,
    # whose terms split_amounts skips; the result's lines for it are then zero columns.
    refunds = _or_zero(refunded)
    # split_amounts' formula with its arguments by position (split_values), the terms skipped as zero broadcast
    # here to zero columns (zeroed pages, written by nobody)
    values = arithmetic.split_values(
        paid,
        _or_zero(shipping),
        _or_zero(subsidy),
        refunds,
        inputs.void if inputs.void.any() else False,  # invalid
        rates[0],  # commission_ppm
        ladder,  # steps
        marginal,
        profile.effective_commission_fee_rate.ppm,  # fee_ppm
        _or_zero(rates[1]),  # mcn_ppm
        _or_zero(rates[2]),  # leader_ppm
        _or_zero(rates[3]),  # second_ppm
        _or_zero(rates[4]),  # tech_ppm
        profile.shipping_in_base,
        profile.rounding,
        _ARRAYS,
    )
    n = paid.shape[0]
    amounts = arithmetic.SplitAmounts(*(np.zeros(n, dtype=np.int64) if isinstance(v, int) else v for v in values))
    if risky is not None:
        for k in np.flatnonzero(risky):
            i = int(k)
            row = arithmetic.split_amounts(
                paid=int(inputs.paid[i]),
                shipping=int(inputs.shipping[i]),
                subsidy=int(inputs.subsidy[i]),
                refunded=int(inputs.refunded[i]),
                invalid=bool(inputs.void[i]),
                commission_ppm=int(rates[0][i]),
                steps=ladder,
                marginal=marginal,
                fee_ppm=profile.effective_commission_fee_rate.ppm,
                mcn_ppm=int(rates[1][i]),
                leader_ppm=int(rates[2][i]),
                second_ppm=int(rates[3][i]),
                tech_ppm=int(rates[4][i]),
                shipping_in_base=profile.shipping_in_base,
                rounding=profile.rounding,
            )
            for column, value in zip(amounts, row, strict=True):
                column[i] = value
    merchant = amounts.merchant
    if merchant.size and int(merchant.min()) < 0:  # pragma: no cover - the profile's cap makes this unreachable
        first = int(np.flatnonzero(merchant < 0)[0])
        raise PolicyError("split", int(merchant[first]), "the deductions exceed what the merchant received")
    # The lines add up to what came in by construction: the merchant's line is the remainder.
    return {
        "influencer_fen": amounts.influencer,
        "mcn_fen": amounts.mcn,
        "platform_commission_fee_fen": amounts.fee,
        "team_leader_fen": amounts.leader,
        "second_leader_fen": amounts.second,
        "platform_tech_fee_fen": amounts.tech,
        "merchant_fen": merchant,
        # a column of its own, not the caller's refunded_fen
        "buyer_refund_fen": (
            np.zeros(n, dtype=np.int64) if isinstance(refunds, int) and risky is None else inputs.refunded.copy()
        ),
        "subsidy_return_fen": amounts.returned,
        "base_fen": amounts.base,
        "commission_fen": amounts.commission,
        "total_in_fen": amounts.total_in,
    }


# -- from objects ---------------------------------------------------------------------------------------


def order_columns(orders: Iterable[Order]) -> dict[str, Any]:
    """The columns :func:`settle_columns` reads, from :class:`~fenxiao.settlement.Order` values (their current state).

    Optional rates come as masked arrays (masked where the order has none); ``order_id`` is included. Tiered
    steps are not columns: every order must carry the same steps, which you pass to :func:`settle_columns`.

    Raises:
        InvalidValueError: Orders in different currencies or with different commission steps.

    .. versionadded:: 0.1
    """
    rows = list(orders)
    for i, order in enumerate(rows):
        if not isinstance(order, Order):
            raise InvalidValueError(f"order_columns.orders[{i}]", order, "must be an Order")
        if (order.terms.steps, order.terms.step_mode) != (rows[0].terms.steps, rows[0].terms.step_mode):
            raise InvalidValueError(
                f"order_columns.orders[{i}].terms.steps", order.terms.steps, "differs from the first order's steps"
            )
        if order.paid.currency != rows[0].paid.currency:
            raise InvalidValueError(f"order_columns.orders[{i}].paid", order.paid, "is in another currency")

    def optional(values: list[int | None]) -> np.ma.MaskedArray[Any, Any]:
        return np.ma.masked_array([v or 0 for v in values], mask=[v is None for v in values], dtype=np.int64)

    def ppm(rate: Rate | None) -> int | None:
        return None if rate is None else rate.ppm

    return {
        "order_id": np.array([o.id for o in rows], dtype=object),
        "paid_fen": np.array([o.paid.fen for o in rows], dtype=np.int64),
        "commission_ppm": np.array([o.terms.commission_rate.ppm for o in rows], dtype=np.int64),
        "shipping_fen": np.array([o.shipping.fen for o in rows], dtype=np.int64),
        "subsidy_fen": np.array([o.subsidy.fen for o in rows], dtype=np.int64),
        "refunded_fen": np.array([o.refunded.fen for o in rows], dtype=np.int64),
        "invalid": np.array([o.status is OrderStatus.INVALID for o in rows], dtype=np.bool_),
        "own_stream": np.array([o.influencer_id is None for o in rows], dtype=np.bool_),
        "leader_fee_ppm": optional([ppm(o.terms.leader_fee_rate) for o in rows]),
        "second_leader_fee_ppm": optional([ppm(o.terms.second_leader_fee_rate) for o in rows]),
        "mcn_share_ppm": optional([ppm(o.terms.mcn_share) for o in rows]),
        "tech_fee_ppm": optional([ppm(o.terms.tech_fee_rate) for o in rows]),
        "category_id": np.array([o.category_id for o in rows], dtype=object),
        "category_level1": np.array([o.category_level1 for o in rows], dtype=object),
        "plan_kind": np.array([None if o.terms.plan_kind is None else o.terms.plan_kind.value for o in rows], object),
    }
