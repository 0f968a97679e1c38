"""fenxiao.store.policies: versions of policy documents, kept unchanged, found by version or by date."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.grading.tiers import TierPolicy, default_tier_policy
from fenxiao.serialization import dumps, loads
from fenxiao.store.policies import PolicyVersion, PolicyVersions

T = datetime.fromisoformat("2026-11-01T00:00:00+08:00")


def test_versions_count_up_and_the_one_in_force_is_found_by_date(engine: sa.Engine) -> None:
    """Each save without a version is the next one; effective() picks the latest that applies at a moment."""
    text = dumps(default_tier_policy(), format="toml")
    with engine.begin() as conn:
        policies = PolicyVersions(conn)
        first = policies.save("tiers", text, kind="tier_policy", effective_from=T)
        second = policies.save("tiers", text + "\n", kind="tier_policy", effective_from=T + timedelta(days=14))
        assert (first.version, second.version) == (1, 2)
        assert policies.effective("tiers", at=T - timedelta(seconds=1)) is None
        assert policies.effective("tiers", at=T + timedelta(days=13)) == first
        assert policies.effective("tiers", at=T + timedelta(days=14)) == second
        assert policies.load("tiers") == second
        assert policies.load("tiers", 1) == first
        assert policies.load("nope") is None
        assert policies.history("tiers") == (first, second)
        assert loads(policies.load("tiers", 1).document, TierPolicy, format="toml") == default_tier_policy()  # type: ignore[union-attr]


def test_a_version_never_changes(engine: sa.Engine) -> None:
    """Saving a held version again with the same content returns it; with other content it is refused."""
    with engine.begin() as conn:
        policies = PolicyVersions(conn)
        held = policies.save("perks", "a", kind="perks", effective_from=T, version=3)
        assert policies.save("perks", "a", kind="perks", effective_from=T, version=3) == held
        with pytest.raises(PolicyError, match="version: of 'perks' is held with other content"):
            policies.save("perks", "b", kind="perks", effective_from=T, version=3)
        with pytest.raises(PolicyError, match="held with other content"):
            policies.save("perks", "a", kind="perks", effective_from=T + timedelta(hours=1), version=3)


def test_bad_versions_are_refused_naming_the_field(engine: sa.Engine) -> None:
    """A version below 1, a bad name, a naive moment, a NUL in the document: errors naming the field."""
    with engine.begin() as conn:
        policies = PolicyVersions(conn)
        with pytest.raises(InvalidValueError, match=r"PolicyVersion\.version"):
            policies.save("tiers", "a", kind="tier_policy", effective_from=T, version=0)
        with pytest.raises(InvalidValueError, match=r"PolicyVersion\.name"):
            policies.save("bad name", "a", kind="tier_policy", effective_from=T)
        with pytest.raises(InvalidValueError, match=r"PolicyVersion\.effective_from"):
            policies.save("tiers", "a", kind="tier_policy", effective_from=datetime(2026, 1, 1))
        with pytest.raises(InvalidValueError, match=r"document: holds a NUL character"):
            policies.save("tiers", "a\x00", kind="tier_policy", effective_from=T)
    assert PolicyVersion("tiers", 1, "tier_policy", T, "x").effective_from == T
