"""Versions of policy documents in the database: :class:`PolicyVersion` values kept by :class:`PolicyVersions`.

A policy (a tier policy, scorecards, a perk catalog, budgets ...) is kept as the document it was written in (TOML
or JSON text, as :func:`fenxiao.serialization.dumps` writes it), under a name and a version number that counts
up from 1, with the moment it applies from. Versions are never changed: saving the same version again with the
same content is a no-op, with other content a :class:`~fenxiao.errors.PolicyError`.

>>> from datetime import datetime, timezone
>>> from fenxiao.store.engine import create_engine
>>> from fenxiao.store.migrate import upgrade
>>> engine = create_engine("sqlite://")
>>> t = datetime(2026, 11, 1, tzinfo=timezone.utc)
>>> with engine.begin() as conn:
...     upgrade(conn)
...     policies = PolicyVersions(conn)
...     first = policies.save("tiers", "[policy]\\n", kind="tier_policy", effective_from=t)
...     later = t.replace(day=15)
...     second = policies.save("tiers", "[policy]\\nname = 'v2'\\n", kind="tier_policy", effective_from=later)
...     policies.effective("tiers", at=t.replace(day=10)).version, policies.load("tiers").version
(1, 2)

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fenxiao._internal import validators as v
from fenxiao.errors import InvalidValueError, PolicyError
from fenxiao.store._sql import moment, offset_of, stored_text, utc_of
from fenxiao.store.schema import POLICY_VERSIONS

__all__ = ["PolicyVersion", "PolicyVersions"]

_P = POLICY_VERSIONS.c
_MAX_DOCUMENT: Final = 64 * 1024 * 1024


def _document(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or len(value) > _MAX_DOCUMENT:
        raise InvalidValueError(v.path_of(instance, attribute), value, "must be text of at most 64 MiB")


@attrs.frozen
class PolicyVersion:
    """One version of a policy document.

    Args:
        name: The policy's name (``"tiers"``, ``"perks-2026"`` ...).
        version: Its version number, from 1.
        kind: What the document is (``"tier_policy"``, ``"scorecards"``, ``"perks"``, ``"budgets"`` ...).
        effective_from: From when it applies (timezone-aware).
        document: The document's text.
    """

    name: str = attrs.field(validator=v.identifier)
    version: int = attrs.field(validator=v.int_between(1, 2**31 - 1))
    kind: str = attrs.field(validator=v.identifier)
    effective_from: datetime = attrs.field(validator=v.aware_datetime)
    document: str = attrs.field(validator=_document, repr=False)


def _from_row(row: Mapping[Any, Any]) -> PolicyVersion:
    return PolicyVersion(
        name=row["name"],
        version=row["version"],
        kind=row["kind"],
        effective_from=moment(row["effective_from"], row["effective_from_offset"]),
        document=row["document"],
    )


class PolicyVersions:
    """The policy versions in the database behind *conn* (within its transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def save(
        self, name: str, document: str, *, kind: str, effective_from: datetime, version: int | None = None
    ) -> PolicyVersion:
        """Keep *document* as version *version* of policy *name* (the next version when ``None``); the version kept.

        Raises:
            InvalidValueError: A bad name, kind, moment, version or document.
            PolicyError: That version is held with other content (versions never change: save a new one).
        """
        if version is None:
            latest = self.conn.execute(sa.select(sa.func.max(_P.version)).where(_P.name == name)).scalar_one()
            version = 1 if latest is None else int(latest) + 1
        given = PolicyVersion(name, version, kind, effective_from, document)
        held = self.load(name, version)
        if held is not None:
            if held != given or held.effective_from.utcoffset() != effective_from.utcoffset():
                raise PolicyError(
                    "PolicyVersions.save.version",
                    version,
                    f"of {name!r} is held with other content: save a new version",
                )
            return held
        self.conn.execute(
            POLICY_VERSIONS.insert(),
            {
                "name": name,
                "version": version,
                "kind": kind,
                "effective_from": utc_of(effective_from, "PolicyVersions.save.effective_from"),
                "effective_from_offset": offset_of(effective_from, "PolicyVersions.save.effective_from"),
                "document": stored_text(document, "PolicyVersions.save.document"),
            },
        )
        return given

    def load(self, name: str, version: int | None = None) -> PolicyVersion | None:
        """Version *version* of policy *name* (the latest when ``None``), or ``None``."""
        query = sa.select(POLICY_VERSIONS).where(_P.name == name)
        query = query.where(_P.version == version) if version is not None else query.order_by(_P.version.desc())
        row = self.conn.execute(query.limit(1)).mappings().first()
        return None if row is None else _from_row(row)

    def effective(self, name: str, *, at: datetime) -> PolicyVersion | None:
        """The version of *name* in force at *at*: the latest ``effective_from`` not after *at* (of two from the
        same moment, the higher version), or ``None``."""
        moment_ = utc_of(v.require_aware(at, "PolicyVersions.effective.at"), "PolicyVersions.effective.at")
        query = (
            sa.select(POLICY_VERSIONS)
            .where(_P.name == name, _P.effective_from <= moment_)
            .order_by(_P.effective_from.desc(), _P.version.desc())
            .limit(1)
        )
        row = self.conn.execute(query).mappings().first()
        return None if row is None else _from_row(row)

    def history(self, name: str) -> tuple[PolicyVersion, ...]:
        """Every version of *name*, oldest first."""
        query = sa.select(POLICY_VERSIONS).where(_P.name == name).order_by(_P.version)
        return tuple(_from_row(row) for row in self.conn.execute(query).mappings())
