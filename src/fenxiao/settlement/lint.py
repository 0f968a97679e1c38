"""Static checks of a platform profile: what loads but cannot be meant (``python -m fenxiao lint profile.toml``).

Loading already refuses what no profile may hold (a maximum below its minimum, deductions above 100% of the base,
a category or plan kind listed twice). :func:`lint_profile` looks for rules that load and still leave no valid
rate, or contradict each other: a plan kind or category whose bounds leave no commission at all, floors that
with a team leader already reach the combined cap, settlement that waits longer for better service, a reserve
that holds nothing or is released at once. Each finding names its place as a profile file writes it
(``category_rules[1].min_leader_fee``).

>>> from fenxiao.money import Rate
>>> from fenxiao.settlement.profiles import CategoryRule
>>> lint_profile(PlatformProfile()), lint_profile(PlatformProfile.douyin())
((), ())
>>> gold = CategoryRule("珠宝文玩", min_commission=Rate.of("5%"), min_leader_fee=Rate.of("1%"))
>>> for finding in lint_profile(PlatformProfile(combined_cap=Rate.of("5%"), category_rules=(gold,))):
...     print(finding)
category_rules[0].min_leader_fee: error [floor-above-cap] goods of 珠宝文玩 need commission >= 5% and a leader \
fee >= 1%: together 6%, not below the combined cap 5%: no order with a team leader is valid

.. versionadded:: 0.2
"""

from __future__ import annotations

from typing import Final

from fenxiao._internal.validators import checks_arguments
from fenxiao.errors import InvalidValueError
from fenxiao.money import Rate
from fenxiao.rules.table import Finding, Severity, sorted_findings
from fenxiao.settlement.kinds import PlanKind
from fenxiao.settlement.profiles import PlatformProfile

__all__ = ["lint_profile"]

#: Real time zones are whole quarters of an hour from UTC.
_QUARTER_HOUR: Final = 15


@checks_arguments
def lint_profile(profile: PlatformProfile) -> tuple[Finding, ...]:
    """Static checks of a platform profile, errors first; paths as a profile file writes them.

    - ``empty-bounds`` (error): a plan kind (``kind_bounds[i]``), a category (``category_rules[i]``) or a plan kind
      on a category whose lowest allowed commission is above its highest: no plan of it is ever valid;
    - ``floor-above-cap`` (error): the lowest commission allowed plus the lowest leader fee (a category's
      ``min_leader_fee``, else none) reaches the combined cap: no order with a team leader is valid;
    - ``settlement-order`` (warning): a better service level that waits longer for settlement than a worse one;
    - ``reserve-inert`` (warning): a refund reserve rate with zero days (released as soon as it is held), or
      reserve days with a zero rate (nothing is held);
    - ``odd-offset`` (warning): a UTC offset that is not a whole quarter of an hour (no time zone has one).

    Raises:
        InvalidValueError: *profile* is not a :class:`PlatformProfile`.
    """
    if not isinstance(profile, PlatformProfile):
        raise InvalidValueError("lint_profile.profile", profile, "must be a PlatformProfile")
    findings = _bounds_findings(profile) + _cap_findings(profile)
    days = profile.settlement_days
    order = (("high", days.high), ("standard", days.standard), ("low", days.low))
    for (better, sooner), (worse, later) in ((order[0], order[1]), (order[1], order[2]), (order[0], order[2])):
        if sooner > later:
            message = f"{better} service waits {sooner} days, longer than {worse} service ({later} days)"
            findings.append(Finding(f"settlement_days.{better}", Severity.WARNING, "settlement-order", message))
            break
    if profile.reserve_rate.ppm > 0 and profile.reserve_days == 0:
        message = f"a reserve of {profile.reserve_rate} is held for 0 days: it is released as soon as it is held"
        findings.append(Finding("reserve_days", Severity.WARNING, "reserve-inert", message))
    elif profile.reserve_rate.ppm == 0 and profile.reserve_days > 0:
        message = f"the reserve is held for {profile.reserve_days} days, but its rate is 0%: nothing is held"
        findings.append(Finding("reserve_rate", Severity.WARNING, "reserve-inert", message))
    if profile.utc_offset_minutes % _QUARTER_HOUR:
        message = f"UTC{profile.utc_offset_minutes:+d} minutes is not a whole quarter of an hour: no time zone has it"
        findings.append(Finding("utc_offset_minutes", Severity.WARNING, "odd-offset", message))
    return sorted_findings(findings)


def _percent(ppm: int) -> str:
    """A non-negative number of parts per million as a percentage (above 100% too): ``"6%"``, ``"100.5%"``."""
    whole, part = divmod(ppm, 10_000)  # 10,000 ppm in one percent
    return f"{whole}{f'.{part:04d}'.rstrip('0') if part else ''}%"


def _said(kind: PlanKind | None, category: str | None) -> str:
    if kind is not None and category is not None:
        return f"{kind.value} plans on goods of {category}"
    if kind is not None:
        return f"{kind.value} plans"
    return f"goods of {category}"


def _bounds_findings(profile: PlatformProfile) -> list[Finding]:
    findings: list[Finding] = []
    empty_kinds: set[PlanKind] = set()
    for i, bounds in enumerate(profile.kind_bounds):
        low, high = profile.commission_bounds(kind=bounds.kind)
        if low > high:
            empty_kinds.add(bounds.kind)
            findings.append(_empty(f"kind_bounds[{i}]", _said(bounds.kind, None), low, high))
    for i, rule in enumerate(profile.category_rules):
        low, high = profile.commission_bounds(category=rule.match)
        if low > high:
            findings.append(_empty(f"category_rules[{i}]", _said(None, rule.match), low, high))
            continue
        for bounds in profile.kind_bounds:
            if bounds.kind in empty_kinds:
                continue
            low, high = profile.commission_bounds(kind=bounds.kind, category=rule.match)
            if low > high:
                findings.append(_empty(f"category_rules[{i}]", _said(bounds.kind, rule.match), low, high))
    return findings


def _empty(path: str, what: str, low: Rate, high: Rate) -> Finding:
    message = f"{what} need commission >= {low} and <= {high}: no rate is allowed"
    return Finding(path, Severity.ERROR, "empty-bounds", message)


def _cap_findings(profile: PlatformProfile) -> list[Finding]:
    """``floor-above-cap``: the lowest commission and leader fee a team-leader order may have reach the cap."""
    cap = profile.combined_cap
    findings: list[Finding] = []

    def reaches(total: int) -> bool:
        return total > cap.ppm or (total == cap.ppm and not profile.combined_cap_inclusive)

    low, high = profile.commission_bounds()
    if reaches(low.ppm):
        message = (
            f"the lowest commission allowed ({low}) is {'above' if low > cap else 'at'} the combined cap {cap}: "
            "no order with a team leader is valid"
        )
        return [Finding("combined_cap", Severity.ERROR, "floor-above-cap", message)]
    for i, rule in enumerate(profile.category_rules):
        floor = rule.min_leader_fee
        low, high = profile.commission_bounds(category=rule.match)
        if low > high:
            continue  # empty-bounds says it
        fee = floor.ppm if floor is not None else 0
        if reaches(low.ppm + fee):
            where = "min_leader_fee" if floor is not None and floor.ppm else "min_commission"
            message = (
                f"goods of {rule.match} need commission >= {low} and a leader fee >= {floor or Rate.zero()}: "
                f"together {_percent(low.ppm + fee)}, {'above' if profile.combined_cap_inclusive else 'not below'} "
                f"the combined cap {cap}: no order with a team leader is valid"
            )
            findings.append(Finding(f"category_rules[{i}].{where}", Severity.ERROR, "floor-above-cap", message))
    return findings
