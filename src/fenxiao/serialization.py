"""Reading and writing fenxiao values: the one cattrs converter and its functions.

Every domain type round-trips through plain dicts and JSON. Money and rates
travel as exact strings (``"99.90"``, ``"0.125"``), never floats; datetimes as
ISO 8601 with their offset (a naive one is refused); enums by value; tuples as
lists; sets as sorted lists. Reading is strict: a float where an amount belongs,
``"5"`` where a count belongs, a string where a list belongs or an unknown key
are errors, and every error names its place in the document (see
``docs/serialization.md``).

The converter lives in a private module at the bottom of the house so that every layer can read its own
defaults through it; the modules that define the rule languages (conditions, perk catalogs, scorecards) teach
it their file forms. Importing this module makes sure all of them have.

>>> from fenxiao.money import Money, Rate
>>> from fenxiao.domain.listings import ListingTerms
>>> to_dict(ListingTerms(commission_rate=Rate.of("20%")))
{'commission_rate': '0.2', 'team_leader_id': None, 'leader_fee_rate': None}
>>> from_dict({"commission_rate": "120%"}, ListingTerms)
Traceback (most recent call last):
...
fenxiao.errors.ValidationError: invalid ListingTerms (1 problem):
  commission_rate: is above 100%, got '120%'
"""

from __future__ import annotations

# Imported for their hooks: each teaches the converter the file form of the types it defines.
import fenxiao.grading.perks
import fenxiao.rules.interpreter
import fenxiao.rules.language
import fenxiao.scoring.scorecards  # noqa: F401
from fenxiao._internal.convert import MAX_DOCUMENT_BYTES, converter, dumps, from_dict, load, loads, to_dict

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "converter",
    "dumps",
    "from_dict",
    "load",
    "loads",
    "to_dict",
]
