"""The ``split`` sub-command and the demo's settlement section."""

from __future__ import annotations

import json
from decimal import Decimal

import attrs
import pytest

from fenxiao.cli.split import GROUP, demo_section
from fenxiao.domain.catalog import Catalog
from fenxiao.money import Money
from fenxiao.sample import load_sample
from fenxiao.serialization import from_dict, to_dict
from fenxiao.settlement.splits import Clawback, OrderSplit, Party

from . import running

GROUPS = (GROUP,)


def run(argv: list[str]) -> tuple[int, str]:
    return running.run(argv, *GROUPS)


def run_json(*args: str) -> dict[str, object]:
    status, text = run(["split", *args, "--json"])
    assert status == 0
    data: dict[str, object] = json.loads(text)
    return data


def amounts(data: dict[str, object]) -> dict[str, str]:
    lines = data["lines"]
    assert isinstance(lines, list)
    return {line["party"]: line["amount"] for line in lines}


def test_the_documented_command_prints_one_json_object_with_exact_yuan_strings() -> None:
    """``split --paid 99.90 --commission 20% --leader-fee 5% --json``: total_in and every line, as strings."""
    data = run_json("--paid", "99.90", "--commission", "20%", "--leader-fee", "5%")
    assert data["total_in"] == "99.90"
    assert amounts(data) == {
        "influencer": "19.98",
        "platform_commission_fee": "0.00",
        "team_leader": "4.99",
        "platform_tech_fee": "4.99",
        "merchant": "69.94",
    }
    assert sum(Decimal(a) for a in amounts(data).values()) == Decimal("99.90")
    assert data["profile"] == "kuaishou"


def test_the_json_is_the_library_split_in_its_one_shape() -> None:
    """``--json`` writes the OrderSplit as fenxiao.serialization does, plus the profile, rounding and clawbacks."""
    data = run_json(
        "--paid", "100", "--commission", "20%", "--leader-fee", "5%", "--refund", "30", "--after-settlement"
    )
    own = {k: v for k, v in data.items() if k not in {"profile", "rounding", "clawbacks"}}
    result = from_dict(own, OrderSplit)
    assert to_dict(result) == own
    assert set(own) == {a.name for a in attrs.fields(OrderSplit)}
    assert (data["profile"], data["rounding"]) == ("kuaishou", "down")
    clawbacks = data["clawbacks"]
    assert isinstance(clawbacks, list)
    (claw,) = (from_dict(c, Clawback) for c in clawbacks)
    assert claw.amount(Party.INFLUENCER) == Money.of("-6.00")


def test_the_text_output_lists_every_party_and_the_total() -> None:
    """One row per party with its Chinese label, then the total."""
    status, text = run(["split", "--paid", "99.90", "--commission", "20%", "--leader-fee", "5%"])
    assert status == 0
    assert "influencer 达人佣金" in text
    assert "¥19.98" in text
    assert "team_leader 团长服务费" in text
    assert text.rstrip().splitlines()[-1].split() == ["total", "合计", "¥99.90"]


def test_options_add_shipping_subsidy_mcn_and_a_platform_fee() -> None:
    """Every option reaches the split; the lines still add up to what came in."""
    data = run_json(
        "--paid",
        "100",
        "--commission",
        "0.2",
        "--shipping",
        "8.00",
        "--subsidy",
        "10.00",
        "--platform-fee",
        "10%",
        "--tech-fee",
        "2%",
        "--mcn-share",
        "50%",
        "--leader-fee",
        "5%",
        "--second-leader-fee",
        "2%",
    )
    assert data["total_in"] == "118.00"
    assert amounts(data) == {
        "influencer": "9.00",
        "mcn": "9.00",
        "platform_commission_fee": "2.00",
        "team_leader": "3.00",
        "second_leader": "2.00",
        "platform_tech_fee": "2.00",
        "merchant": "91.00",
    }


def test_refunds_before_settlement_recompute_and_after_settlement_are_clawbacks() -> None:
    """``--refund`` reduces the base; with ``--after-settlement`` the change is listed as a clawback."""
    before = run_json("--paid", "100", "--commission", "20%", "--refund", "50")
    assert amounts(before)["buyer_refund"] == "50.00"
    assert before["clawbacks"] == []
    after = run_json("--paid", "100", "--commission", "20%", "--refund", "50", "--after-settlement")
    assert after["status"] == "settled"
    clawbacks = after["clawbacks"]
    assert isinstance(clawbacks, list)
    assert {line["party"]: line["amount"] for line in clawbacks[0]["lines"]}["influencer"] == "-10.00"


def test_refunds_by_units() -> None:
    """``--units 3 --refund-units 1`` refunds a third of the goods, rounded down to the fen."""
    data = run_json("--paid", "10.00", "--commission", "20%", "--units", "3", "--refund-units", "1")
    assert amounts(data)["buyer_refund"] == "3.33"


def test_the_profile_and_rounding_can_be_chosen() -> None:
    """The default profile charges the 10% fee; half-up rounding rounds 4.995 to 5.00."""
    data = run_json("--paid", "99.90", "--commission", "20%", "--leader-fee", "5%", "--profile", "default")
    assert amounts(data)["platform_commission_fee"] == "1.99"
    data = run_json("--paid", "99.90", "--commission", "20%", "--leader-fee", "5%", "--rounding", "half_up")
    assert amounts(data)["team_leader"] == "5.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--paid", "99.90", "--commission", "95%"], "is above the maximum commission (90%)"),
        (["--paid", "99.90", "--commission", "85%", "--leader-fee", "5%"], "must stay below the cap (90%)"),
        (["--paid", "abc", "--commission", "20%"], "is not a number"),
        (["--paid", "10", "--commission", "20%", "--refund", "11"], "exceeds what was paid"),
        (["--paid", "10", "--commission", "20%", "--second-leader-fee", "1%"], "needs --leader-fee"),
    ],
)
def test_bad_input_is_one_line_on_stderr_with_status_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Errors name the problem and never show a traceback."""
    status, text = run(["split", *args])
    err = capsys.readouterr().err
    assert status == 2
    assert text == ""
    assert message in err
    assert err.startswith("fenxiao split: ")
    assert "Traceback" not in err


def test_the_demo_shows_one_settlement_and_one_refund() -> None:
    """The demo's section settles a sample order and claws back one refunded unit."""
    status, text = run(["demo"])
    assert status == 0
    section = text[text.index("Settlement (profile kuaishou)") :]
    assert "One unit refunded after settlement" in section
    assert "buyer_refund 买家退款" in section
    assert "total 合计" in section


def test_the_demo_section_handles_a_catalog_without_leaders() -> None:
    """Without an approved listing that has a team leader, the section says so."""
    catalog = load_sample()
    empty = Catalog(categories=catalog.categories)
    assert demo_section(empty) == "Settlement: the catalog has no approved listing with a team leader."


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--paid", "0.1x", "is not a number"),
        ("--commission", "20", "is above 100%"),
        ("--leader-fee", "5", "is above 100%"),
        ("--shipping", "1.001", "is not exact to the fen"),
        ("--refund", "x", "is not a number"),
        ("--platform-fee", "abc", "is not a number"),
    ],
)
def test_a_malformed_amount_or_rate_names_its_option(
    option: str, value: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Options parsed alike fail with different messages: each names the option, the problem and the value."""
    args = {"--paid": "99.90", "--commission": "20%", option: value}
    status, text = run(["split", *(part for pair in args.items() for part in pair)])
    err = capsys.readouterr().err
    assert (status, text) == (2, "")
    assert err.startswith(f"fenxiao split: {option}: {problem}")
    assert err.rstrip().endswith(f"got {value!r}")
