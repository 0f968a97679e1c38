"""fenxiao.serialization: every type round-trips, every bad field is refused by path, documents load safely."""

from __future__ import annotations

import copy
import enum
import json
import typing
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Final

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fenxiao import (
    Brand,
    Catalog,
    Category,
    Influencer,
    InvalidValueError,
    LeaderLevel,
    Listing,
    ListingStatus,
    ListingTerms,
    Merchant,
    Money,
    Rate,
    Sku,
    SkuSnapshot,
    StatusChange,
    TeamLeader,
    ValidationError,
)
from fenxiao.domain.people import MAX_INFLUENCER_LEVEL
from fenxiao.sample import generate_catalog
from fenxiao.serialization import MAX_DOCUMENT_BYTES, dumps, from_dict, load, loads, to_dict
from fenxiao.testing import strategies as fst

#: Every domain type and a strategy for it.
DOMAIN_TYPES: Final[list[tuple[type[Any], st.SearchStrategy[Any]]]] = [
    (Money, fst.money()),
    (Rate, fst.rates()),
    (Category, fst.categories()),
    (Brand, fst.brands()),
    (Merchant, fst.merchants()),
    (Sku, fst.skus()),
    (Influencer, fst.influencers()),
    (TeamLeader, fst.team_leaders()),
    (ListingTerms, fst.listing_terms()),
    (StatusChange, fst.status_changes()),
    (Listing, fst.listings()),
    (SkuSnapshot, fst.snapshots()),
    (Catalog, fst.catalogs(max_size=3)),
]
#: The attrs classes whose fields are corrupted one by one (Money and Rate are scalars in documents).
RECORD_TYPES: Final = [(cls, s) for cls, s in DOMAIN_TYPES if cls not in {Money, Rate, Catalog}]
_IDS: Final = [cls.__name__ for cls, _ in DOMAIN_TYPES]


def _floats_in(data: object) -> list[object]:
    """Every float anywhere inside plain data."""
    if isinstance(data, float):
        return [data]
    if isinstance(data, dict):
        return [f for v in data.values() for f in _floats_in(v)]
    if isinstance(data, list):
        return [f for v in data for f in _floats_in(v)]
    return []


# -- round trips ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "strategy"), DOMAIN_TYPES, ids=_IDS)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_domain_type_round_trips(cls: type[Any], strategy: st.SearchStrategy[Any], data: st.DataObject) -> None:
    """to_dict/from_dict and dumps/loads give back an equal value, and the plain data holds no float."""
    value = data.draw(strategy)
    plain = to_dict(value)
    assert _floats_in(plain) == []
    back = from_dict(plain, cls)
    assert back == value
    assert to_dict(back) == plain  # also keeps what == ignores: UTC offsets, the text of every amount
    assert loads(dumps(value), cls) == value
    assert loads(dumps(value, indent=None).encode(), cls) == value


@given(
    snap=fst.snapshots(currencies=fst.currencies()),
    influencer=fst.influencers(currencies=fst.currencies()),
)
def test_amounts_in_any_currency_round_trip(snap: SkuSnapshot, influencer: Influencer) -> None:
    """Amounts outside CNY travel with their code ("12.00 USD") and come back in that currency."""
    assert from_dict(to_dict(snap), SkuSnapshot) == snap
    assert from_dict(to_dict(influencer), Influencer) == influencer
    price = to_dict(snap)["price"]
    assert price.endswith(f" {snap.price.currency}") == (snap.price.currency != "CNY")


@given(amount=fst.money(currencies=fst.currencies()), rate=fst.rates())
def test_money_and_rates_travel_as_exact_strings(amount: Money, rate: Rate) -> None:
    """An amount is its exact yuan text, a rate its exact fraction text; both parse back to the same value."""
    text = to_dict(amount)
    assert isinstance(text, str)
    assert Decimal(text.split()[0]) == amount.yuan
    assert from_dict(text, Money) == amount
    rate_text = to_dict(rate)
    assert isinstance(rate_text, str)
    assert Decimal(rate_text) == rate.value
    assert from_dict(rate_text, Rate) == rate


@given(when=fst.aware_datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_datetimes_keep_their_instant_and_offset(when: datetime) -> None:
    """A datetime travels as ISO 8601 with its offset; the instant and the offset both come back."""
    back = from_dict(to_dict(when), datetime)
    assert back == when
    assert back.utcoffset() == when.utcoffset()


def test_boundary_amounts_and_rates_round_trip() -> None:
    """¥0.01, the largest amount, its negative, 0% and 100% survive the trip as exact text."""
    for amount in (Money(fen=1), Money(fen=10**15 - 1), Money(fen=-(10**15 - 1)), Money(fen=0)):
        assert loads(dumps(amount), Money) == amount
    assert to_dict(Money(fen=1)) == "0.01"
    assert to_dict(Money(fen=10**15 - 1)) == "9999999999999.99"
    assert to_dict(Rate.zero()) == "0"
    assert to_dict(Rate.one()) == "1"
    assert from_dict("100%", Rate) == Rate.one()
    assert from_dict("0%", Rate) == Rate.zero()


# -- every invalid field names its path ----------------------------------------------------------------------

_DELETE: Final = object()
_NOT_A_FIELD: Final = "not_a_field"
PathPart = str | int


@attrs.frozen
class Corruption:
    """One change to a valid document and the path the resulting error must name."""

    where: tuple[PathPart, ...]
    value: object
    expected: tuple[PathPart, ...]

    def under(self, *prefix: PathPart) -> Corruption:
        """The same change inside a parent document at *prefix*."""
        return Corruption((*prefix, *self.where), self.value, (*prefix, *self.expected))

    def apply(self, document: dict[str, Any]) -> dict[str, Any]:
        """A corrupted deep copy of *document*."""
        result = copy.deepcopy(document)
        parent: Any = result
        for part in self.where[:-1]:
            parent = parent[part]
        if self.value is _DELETE:
            del parent[self.where[-1]]
        else:
            parent[self.where[-1]] = self.value
        return result

    @property
    def path(self) -> str:
        """The expected path as fenxiao writes it: ``skus[3].price``."""
        text = ""
        for part in self.expected:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    def __str__(self) -> str:
        shown = "<deleted>" if self.value is _DELETE else repr(self.value)[:80]
        return f"{self.path} <- {shown}"


def _unwrap(tp: Any) -> tuple[Any, bool]:
    """The field's base type without ``| None`` and NewType wrappers, and whether None is allowed."""
    optional = False
    if isinstance(tp, UnionType) or typing.get_origin(tp) is typing.Union:
        members = [a for a in typing.get_args(tp) if a is not NoneType]
        optional = len(members) < len(typing.get_args(tp))
        assert len(members) == 1, f"unexpected union {tp}"
        tp = members[0]
    while hasattr(tp, "__supertype__"):
        tp = tp.__supertype__
    return tp, optional


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


_BAD_IDS: Final = ("", "has space", "x" * 65, "_leading", "sku-1\n", 5)
_BAD_TEXT: Final = ("", "   ", "x" * 201, "tab\there", 5)
#: Out-of-range values a type alone does not reveal.
_EXTRA_BAD: Final[dict[tuple[type[Any], str], tuple[object, ...]]] = {
    (Influencer, "level"): (MAX_INFLUENCER_LEVEL + 1,),
    (StatusChange, "reason"): ("x" * 1001,),
}


def _bad_values(cls: type[Any], name: str, tp: Any, current: Any) -> Iterator[tuple[object, tuple[PathPart, ...]]]:
    """Wrong-typed and out-of-range replacements for one field, with where below the field the error lands."""
    base, optional = _unwrap(tp)
    if not optional:
        yield None, ()
    origin = typing.get_origin(base)
    if base is Money:
        values: tuple[object, ...] = (9.9, "-0.01", "0.001", "ten yuan", 100, True, {"fen": 1}, "1e999999999")
    elif base is Rate:
        values = ("120%", 0.5, "-1%", "0.0000001", "half", True, "1e-999999999")
    elif base is Decimal:  # every Decimal field is a 0-5 score
        values = (4.5, "NaN", "Infinity", "four", True, "-0.01", "5.01")
    elif base is bool:
        values = ("true", 1, 0)
    elif base is int:  # every int field is a count or a level: never negative
        values = (1.5, "5", True, -1)
    elif base is datetime:
        values = ("2026-11-11T20:00:00", "2026-11-11", "next tuesday", 1_700_000_000, "2026-11-11T20:00:00+25:00")
    elif base is date:
        values = ("2026-13-01", "2026-11-11T00:00:00+08:00", 20261111)
    elif isinstance(base, type) and issubclass(base, enum.Enum):
        first = next(iter(base))
        values = ("no-such-value", first.name, 1)
    elif base is str:
        values = _BAD_IDS if _is_id(name) else _BAD_TEXT if name in {"name", "title"} else (5,)
    elif origin is tuple:
        values = ("abc", {"k": "v"}, 5)
        args = typing.get_args(base)
        if args[-1] is Ellipsis:
            element, _ = _unwrap(args[0])
            bad_element: object = "has space" if element is str else "not a table" if attrs.has(element) else 1.5
            yield [*current, bad_element], (len(current),)
            if element is str and current:
                yield [*current, current[0]], (len(current),)  # listed twice
        else:
            yield current[:-1], ()
            yield [*current, current[0]], ()
            yield [*current[:-1], 5], (len(current) - 1,)
            yield [*current[:-1], "  "], (len(current) - 1,)
    elif attrs.has(base):
        values = ("not a table", ["a", "list"], 5)
    else:  # pragma: no cover - a new field type needs a row above
        raise AssertionError(f"no bad values for {cls.__name__}.{name}: {tp}")
    for value in (*values, *_EXTRA_BAD.get((cls, name), ())):
        yield value, ()


def _nested_record(tp: Any) -> type[Any] | None:
    """The attrs class a field holds (directly or as tuple elements), if it is a record rather than a scalar."""
    base, _ = _unwrap(tp)
    if typing.get_origin(base) is tuple:
        base, _ = _unwrap(typing.get_args(base)[0])
    if attrs.has(base) and base not in {Money, Rate}:
        return typing.cast(type[Any], base)
    return None


def corruptions(cls: type[Any], document: dict[str, Any], index: Callable[[int], int]) -> list[Corruption]:
    """Every single-field corruption of *document* (a valid ``to_dict`` of *cls*), recursing into records.

    For a list of records, *index* picks which element (given the list's length) to corrupt field by field.
    """
    hints = typing.get_type_hints(cls)
    found: list[Corruption] = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        name, tp, current = field.name, hints[field.name], document[field.name]
        if field.default is attrs.NOTHING:
            found.append(Corruption((name,), _DELETE, (name,)))
        found.extend(Corruption((name,), bad, (name, *below)) for bad, below in _bad_values(cls, name, tp, current))
        record = _nested_record(tp)
        if record is not None and isinstance(current, dict):
            found.extend(c.under(name) for c in corruptions(record, current, index))
        elif record is not None and isinstance(current, list) and current:
            k = index(len(current))
            found.extend(c.under(name, k) for c in corruptions(record, current[k], index))
    found.append(Corruption((_NOT_A_FIELD,), 1, (_NOT_A_FIELD,)))
    return found


def _assert_refused(cls: type[Any], document: dict[str, Any], corruption: Corruption) -> None:
    bad = corruption.apply(document)
    try:
        from_dict(bad, cls)
    except ValidationError as exc:
        error = exc
    else:
        pytest.fail(f"{cls.__name__}: {corruption} was accepted")
    paths = [e.path for e in error.errors]
    assert corruption.path in paths, f"{corruption}: error names {paths}"
    assert f"{corruption.path}: " in str(error)


_PER_EXAMPLE: Final = 40


@pytest.mark.parametrize(("cls", "strategy"), RECORD_TYPES, ids=[c.__name__ for c, _ in RECORD_TYPES])
@given(data=st.data())
def test_every_invalid_field_of_every_type_names_its_path(
    cls: type[Any], strategy: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    """Each field in turn, replaced by a wrong-typed or out-of-range value or deleted, is refused at its path.

    Records with many corruptions (a snapshot has about 250) check a drawn sample of 40 per example; the
    generated-catalog test below checks every one of them on fixed data.
    """
    document = to_dict(data.draw(strategy))
    found = corruptions(cls, document, lambda n: data.draw(st.integers(0, n - 1), label="index"))
    assert len(found) > len(attrs.fields(cls))
    if len(found) > _PER_EXAMPLE:
        picks = st.lists(st.integers(0, len(found) - 1), min_size=_PER_EXAMPLE, max_size=_PER_EXAMPLE, unique=True)
        found = [found[i] for i in data.draw(picks, label="picks")]
    for corruption in found:
        _assert_refused(cls, document, corruption)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_bad_value_deep_in_a_catalog_names_the_item_and_field(data: st.DataObject) -> None:
    """A corruption inside catalog item k names ``collection[k].field`` (a drawn sample of all corruptions)."""
    document = to_dict(data.draw(fst.catalogs(min_size=1, max_size=3)))
    found = corruptions(Catalog, document, lambda n: data.draw(st.integers(0, n - 1), label="index"))
    picks = data.draw(st.lists(st.integers(0, len(found) - 1), min_size=6, max_size=6, unique=True), label="picks")
    for i in picks:
        _assert_refused(Catalog, document, found[i])


def test_every_corruption_of_a_generated_catalog_names_its_path() -> None:
    """Exhaustively: every field of the last item of every collection of a sample catalog, corrupted, is refused."""
    document = to_dict(generate_catalog(seed=7, skus=12))
    found = corruptions(Catalog, document, lambda n: n - 1)
    assert {c.expected[0] for c in found} >= {f.name for f in attrs.fields(Catalog) if f.init}
    assert any(c.path.startswith("snapshots[11].") for c in found)
    for corruption in found:
        _assert_refused(Catalog, document, corruption)


# -- rules across fields ------------------------------------------------------------------------------------

Case = Callable[[st.DataObject], tuple[type[Any], dict[str, Any], str]]


def _influencer_band_reversed(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.influencers()))
    doc["price_band_low"], doc["price_band_high"] = "10.00", "9.99"
    return Influencer, doc, "price_band_high"


def _influencer_share_without_mcn(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.influencers(mcn_ids=st.none())))
    doc["mcn_share"] = "0.3"
    return Influencer, doc, "mcn_share"


def _influencer_mcn_without_share(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.influencers(mcn_ids=fst.identifiers())))
    doc["mcn_share"] = None
    return Influencer, doc, "mcn_share"


def _second_level_leader_without_parent(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.team_leaders(levels=st.just(LeaderLevel.SECOND))))
    doc["parent_id"] = None
    return TeamLeader, doc, "parent_id"


def _first_level_leader_with_parent(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.team_leaders(levels=st.just(LeaderLevel.FIRST))))
    doc["parent_id"] = doc["id"] + "x" if len(doc["id"]) < 64 else "parent"
    return TeamLeader, doc, "parent_id"


def _leader_is_own_parent(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.team_leaders(levels=st.just(LeaderLevel.SECOND))))
    doc["parent_id"] = doc["id"]
    return TeamLeader, doc, "parent_id"


def _fee_without_leader(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.listing_terms(team_leader_ids=st.none())))
    doc["leader_fee_rate"] = "0.01"
    return ListingTerms, doc, "leader_fee_rate"


def _commission_and_fee_above_100(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.listing_terms(commission_rates=fst.rates(min_value="0.5"))))
    doc["team_leader_id"], doc["leader_fee_rate"] = "tl-1", "0.500001"
    return ListingTerms, doc, "leader_fee_rate"


def _illegal_transition(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    listing = data.draw(fst.listings(statuses=st.sampled_from([ListingStatus.APPROVED, ListingStatus.DELISTED])))
    doc = to_dict(listing)
    k = data.draw(st.integers(0, len(doc["history"]) - 1), label="k")
    doc["history"][k]["status"] = "applied"  # nothing moves back to applied
    return Listing, doc, f"history[{k}].status"


def _step_before_the_previous(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.listings(statuses=st.just(ListingStatus.APPROVED))))
    applied = datetime.fromisoformat(doc["applied_at"])
    doc["history"][0]["at"] = (applied - timedelta(microseconds=1)).isoformat()
    return Listing, doc, "history[0].at"


def _joined_after_observed(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.snapshots()))
    doc["joined_at"] = (datetime.fromisoformat(doc["observed_at"]) + timedelta(seconds=1)).isoformat()
    return SkuSnapshot, doc, "joined_at"


def _amount_in_another_currency(data: st.DataObject) -> tuple[type[Any], dict[str, Any], str]:
    doc = to_dict(data.draw(fst.snapshots()))
    name = data.draw(st.sampled_from(["reference_price", "gmv_30d", "brand_gmv_30d"]), label="field")
    doc[name] = "1.00 USD"
    return SkuSnapshot, doc, name


CROSS_FIELD_CASES: Final[list[Case]] = [
    _influencer_band_reversed,
    _influencer_share_without_mcn,
    _influencer_mcn_without_share,
    _second_level_leader_without_parent,
    _first_level_leader_with_parent,
    _leader_is_own_parent,
    _fee_without_leader,
    _commission_and_fee_above_100,
    _illegal_transition,
    _step_before_the_previous,
    _joined_after_observed,
    _amount_in_another_currency,
]


@pytest.mark.parametrize("case", CROSS_FIELD_CASES, ids=[c.__name__.strip("_") for c in CROSS_FIELD_CASES])
@given(data=st.data())
def test_a_rule_across_fields_names_the_field_it_blames(case: Case, data: st.DataObject) -> None:
    """Rules that relate two fields (band order, MCN share, parent, fee room, lifecycle, currency) name their field."""
    cls, document, expected = case(data)
    with pytest.raises(ValidationError) as info:
        from_dict(document, cls)
    assert expected in [e.path for e in info.value.errors]


def _catalog_cases(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Reference and uniqueness violations applicable to a catalog document with at least two of everything."""
    k = len(doc["skus"]) - 1
    bad = copy.deepcopy(doc)
    bad["skus"][k]["merchant_id"] = "no-such-merchant"
    yield bad, f"skus[{k}].merchant_id"
    bad = copy.deepcopy(doc)
    bad["skus"][k]["category_id"] = "no-such-category"
    yield bad, f"skus[{k}].category_id"
    bad = copy.deepcopy(doc)
    bad["skus"][1]["id"] = bad["skus"][0]["id"]
    yield bad, "skus[1].id"
    bad = copy.deepcopy(doc)
    bad["listings"][-1]["terms"].update(team_leader_id="no-such-leader", leader_fee_rate="0")
    yield bad, f"listings[{len(doc['listings']) - 1}].terms.team_leader_id"
    bad = copy.deepcopy(doc)
    bad["listings"][0]["sku_id"] = "no-such-sku"
    yield bad, "listings[0].sku_id"
    bad = copy.deepcopy(doc)
    bad["merchants"][0]["brand_ids"] = [*bad["merchants"][0]["brand_ids"], "no-such-brand"]
    yield bad, f"merchants[0].brand_ids[{len(doc['merchants'][0]['brand_ids'])}]"
    bad = copy.deepcopy(doc)
    bad["influencers"][1]["main_category_ids"] = ["no-such-category"]
    yield bad, "influencers[1].main_category_ids[0]"
    snap = doc["snapshots"][0]
    others = [c["id"] for c in doc["categories"] if c["id"] != snap["category_id"]]
    bad = copy.deepcopy(doc)
    bad["snapshots"][0]["category_id"] = others[0]
    yield bad, "snapshots[0].category_id"
    bad = copy.deepcopy(doc)
    bad["team_leaders"].append({"id": "tl-second", "name": "二级", "level": "second", "parent_id": "no-such-leader"})
    yield bad, f"team_leaders[{len(doc['team_leaders'])}].parent_id"


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(catalog=fst.catalogs(min_size=2, max_size=3))
def test_a_broken_reference_in_a_catalog_names_the_item(catalog: Catalog) -> None:
    """Dangling references and duplicate ids in a catalog are refused at ``collection[k].field``."""
    document = to_dict(catalog)
    for bad, expected in _catalog_cases(document):
        with pytest.raises(ValidationError) as info:
            from_dict(bad, Catalog)
        assert expected in [e.path for e in info.value.errors], (expected, info.value.messages)


# -- junk never escapes as anything but ValidationError ---------------------------------------------------------

JSON_JUNK: Final = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_PLAUSIBLE: Final[dict[Any, st.SearchStrategy[Any]]] = {
    Money: st.sampled_from(["99.90", "-1", "1e999999999", "1e-999999999", "0.001", "¥1.00", "1.00 USD", "1 cny"]),
    Rate: st.sampled_from(["12.5%", "120%", "1e-999999999", "1e999999999", "0.1234567", "1", "-0", "%"]),
    Decimal: st.sampled_from(["4.8", "5", "1e999999999", "-0", "sNaN"]),
    datetime: st.sampled_from(["2026-11-11T20:00:00+08:00", "2026-11-11T20:00:00", "0001-01-01T00:00:00+14:00"]),
    date: st.sampled_from(["2026-11-11", "0001-01-01", "2026-02-30"]),
    int: st.integers(-(2**70), 2**70),
    str: fst.identifiers() | st.text(max_size=5),
    bool: st.booleans(),
}


def _shaped(tp: Any) -> st.SearchStrategy[Any]:
    """Junk shaped like *tp*: the right keys and nesting with plausible or arbitrary leaves."""
    base, _ = _unwrap(tp)
    if typing.get_origin(base) is tuple:
        args = typing.get_args(base)
        return JSON_JUNK | st.lists(_shaped(args[0]), max_size=3)
    if attrs.has(base) and base not in {Money, Rate}:
        hints = typing.get_type_hints(base)
        fields = {f.name: _shaped(hints[f.name]) for f in attrs.fields(base) if f.init}
        return JSON_JUNK | st.fixed_dictionaries({}, optional=fields)
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return JSON_JUNK | st.sampled_from([m.value for m in base])
    return JSON_JUNK | _PLAUSIBLE.get(base, st.nothing())


JUNK_TARGETS: Final = [Catalog, Listing, SkuSnapshot, Merchant, Influencer, Money, Rate]


@pytest.mark.parametrize("cls", JUNK_TARGETS, ids=[c.__name__ for c in JUNK_TARGETS])
@given(data=st.data())
def test_junk_input_raises_only_validation_error(cls: type[Any], data: st.DataObject) -> None:
    """Arbitrary JSON-like junk, and junk shaped like the type, gives a value or a ValidationError, nothing else."""
    junk = data.draw(JSON_JUNK | _shaped(cls), label="junk")
    try:
        result = from_dict(junk, cls)
    except ValidationError as exc:
        refused: ValidationError | None = exc
    else:
        refused = None
        assert type(result) is cls
    if refused is not None:
        assert refused.errors
        for error in refused.errors:
            assert isinstance(error, InvalidValueError)
            assert error.path
            assert f"{error.path}: " in str(refused)


# -- examples: JSON ----------------------------------------------------------------------------------------


def test_a_json_float_is_refused_before_it_becomes_a_number() -> None:
    """A JSON number with a fraction or exponent is refused, wherever it is and whatever it means."""
    for text in ('{"commission_rate": 0.2}', '{"commission_rate": 2e-1}', '{"commission_rate": NaN}'):
        with pytest.raises(ValidationError, match="has a float; write amounts and rates as strings"):
            loads(text, ListingTerms)


def test_a_python_float_is_refused_with_its_path() -> None:
    """from_dict refuses a float amount or rate and names where it was."""
    with pytest.raises(ValidationError) as info:
        from_dict({"commission_rate": 0.2}, ListingTerms)
    assert info.value.messages == ('commission_rate: must be an exact string such as "0.125" or "12.5%", got 0.2',)


def test_an_error_message_names_path_problem_and_value() -> None:
    """The message reads ``path: problem, got value`` for each problem, under a one-line summary."""
    document = to_dict(generate_catalog(seed=7, skus=6))
    document["skus"][3]["price"] = 9.9
    document["listings"][1]["terms"]["commission_rate"] = "120%"
    with pytest.raises(ValidationError) as info:
        from_dict(document, Catalog)
    assert str(info.value) == (
        "invalid Catalog (2 problems):\n"
        '  skus[3].price: must be an exact yuan string such as "99.90", got 9.9\n'
        "  listings[1].terms.commission_rate: is above 100%, got '120%'"
    )
    assert [(e.path, e.value) for e in info.value.errors] == [
        ("skus[3].price", 9.9),
        ("listings[1].terms.commission_rate", "120%"),
    ]


def test_malformed_json_raises_validation_error_not_json_decode_error() -> None:
    """Broken JSON, bad UTF-8, absurd integers and absurd nesting all give a ValidationError."""
    for text in ('{"id": ', b"\xff\xfe\x00", "1" * 5000, "[" * 100_000, ""):
        with pytest.raises(ValidationError, match=r"\(document\): is not valid json") as info:
            loads(text, Brand)
        assert not isinstance(info.value, json.JSONDecodeError)


def test_a_document_that_is_not_a_table_is_refused() -> None:
    """A list or a string where a record belongs is refused at the document root or at its field."""
    with pytest.raises(ValidationError, match=r"\(document\): must be a table/object of Brand fields, got \[\]"):
        loads("[]", Brand)
    with pytest.raises(ValidationError) as info:
        from_dict({"commission_rate": "0.1", "terms": "x"}, Listing)
    assert "terms" in [e.path for e in info.value.errors]


def test_a_string_is_not_a_list() -> None:
    """A string where a list of ids belongs is refused rather than read as its characters."""
    with pytest.raises(ValidationError, match=r"main_category_ids: must be a list, got 'abc'"):
        from_dict({"id": "kol-1", "name": "周周", "main_category_ids": "abc"}, Influencer)
    with pytest.raises(ValidationError, match=r"path: must have exactly 3 items"):
        from_dict({"id": "c-1", "path": ["一级", "二级"]}, Category)


@attrs.frozen
class _Badges:
    """A record with set-valued fields, as policies have."""

    names: frozenset[str]
    extra: frozenset[str] | None = None


@given(names=st.frozensets(fst.identifiers(), max_size=5), extra=st.none() | st.frozensets(fst.identifiers()))
def test_sets_travel_as_sorted_lists(names: frozenset[str], extra: frozenset[str] | None) -> None:
    """A frozenset field becomes a sorted JSON list (stable from run to run) and reads back as the same set."""
    badges = _Badges(names, extra)
    plain = to_dict(badges)
    assert plain["names"] == sorted(names)
    assert loads(dumps(badges), _Badges) == badges
    with pytest.raises(ValidationError, match=r"names: must be a list, got 'abc'"):
        from_dict({"names": "abc"}, _Badges)


def test_scalars_load_at_the_top_level() -> None:
    """Money, Rate and datetimes read from bare JSON strings."""
    assert loads('"99.90"', Money) == Money.of("99.90")
    assert loads('"12.00 USD"', Money) == Money.of("12.00", "USD")
    assert loads('"12.5%"', Rate) == Rate.of("0.125")
    assert loads('"2026-11-11T20:00:00+08:00"', datetime).utcoffset() == timedelta(hours=8)


def test_dumps_keeps_chinese_readable() -> None:
    """JSON output keeps non-ASCII text as itself, not \\u escapes."""
    text = dumps(Category(id="c-dress", path=("服饰内衣", "女装", "连衣裙")))
    assert "连衣裙" in text
    assert json.loads(text) == {"id": "c-dress", "path": ["服饰内衣", "女装", "连衣裙"]}


def test_an_unknown_format_is_refused() -> None:
    """loads(format=) accepts only json and toml."""
    with pytest.raises(ValidationError, match=r"loads\.format: must be 'json' or 'toml', got 'yaml'"):
        loads("{}", Brand, format="yaml")


# -- examples: TOML and files ---------------------------------------------------------------------------------

_SKU_TOML: Final = """
id = "sku-1"
merchant_id = "m-1"
category_id = "c-dress"
title = "碎花连衣裙"
price = "129.00"
joined_at = 2026-11-01T09:00:00+08:00
"""


def test_toml_loads_with_native_datetimes() -> None:
    """A TOML document, with a native offset datetime, reads into a Sku."""
    sku = loads(_SKU_TOML, Sku, format="toml")
    assert sku.price == Money.of("129.00")
    assert sku.joined_at == datetime(2026, 11, 1, 1, tzinfo=UTC)
    assert sku.title == "碎花连衣裙"


def test_toml_floats_and_naive_datetimes_are_refused() -> None:
    """A TOML float is refused at parse time; a local (naive) datetime is refused at its field."""
    with pytest.raises(ValidationError, match="has a float"):
        loads(_SKU_TOML.replace('"129.00"', "129.0"), Sku, format="toml")
    with pytest.raises(ValidationError, match=r"joined_at: must carry a UTC offset"):
        loads(_SKU_TOML.replace("+08:00", ""), Sku, format="toml")
    with pytest.raises(ValidationError, match=r"\(document\): is not valid toml"):
        loads("price = ", Sku, format="toml")


def test_load_reads_json_and_toml_files_by_suffix(tmp_path: Path) -> None:
    """load() picks the format from the suffix (in any case) and gives back the saved value."""
    catalog = generate_catalog(seed=11, skus=10)
    (tmp_path / "catalog.JSON").write_text(dumps(catalog), encoding="utf-8")
    assert load(tmp_path / "catalog.JSON", Catalog) == catalog
    (tmp_path / "sku.toml").write_text(_SKU_TOML, encoding="utf-8")
    assert load(str(tmp_path / "sku.toml"), Sku) == loads(_SKU_TOML, Sku, format="toml")


def test_load_refuses_other_suffixes_and_missing_files(tmp_path: Path) -> None:
    """A suffix other than .json/.toml, or a file that cannot be read, raises InvalidValueError naming load.path."""
    (tmp_path / "catalog.yaml").write_text("{}", encoding="utf-8")
    with pytest.raises(InvalidValueError, match=r"^load\.path: must end in \.json or \.toml"):
        load(tmp_path / "catalog.yaml", Catalog)
    with pytest.raises(InvalidValueError, match=r"^load\.path: cannot be read"):
        load(tmp_path / "missing.json", Catalog)
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(InvalidValueError, match=r"^load\.path: cannot be read"):
        load(tmp_path / "dir.json", Catalog)


def test_documents_above_the_size_limit_are_refused_unread(tmp_path: Path) -> None:
    """Text or a file larger than MAX_DOCUMENT_BYTES is refused before it is parsed (or read)."""
    with pytest.raises(ValidationError, match=rf"is larger than {MAX_DOCUMENT_BYTES} bytes"):
        loads(b" " * (MAX_DOCUMENT_BYTES + 1), Catalog)
    with pytest.raises(ValidationError, match="is larger than"):
        loads("元" * (MAX_DOCUMENT_BYTES // 3 + 1), Catalog)  # counted in UTF-8 bytes, not characters
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: costs no disk and, refused unread, no time
    with pytest.raises(ValidationError, match="is larger than"):
        load(big, Catalog)
