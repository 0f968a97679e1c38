"""What every command shares: reading a catalog, and writing tables and JSON."""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError, ValidationError
from fenxiao.money import Money
from fenxiao.sample import load_sample
from fenxiao.serialization import load

__all__ = ["catalog_summary", "load_catalog", "option_value", "render_table", "write_atomically", "write_json"]

T = TypeVar("T")


def load_catalog(path: str | None) -> Catalog:
    """The catalog in *path* (``.json`` or ``.toml``), or the built-in sample when *path* is ``None``.

    Raises:
        InvalidValueError: *path* cannot be read or has another suffix.
        ValidationError: The file is not a valid catalog; the message names the file and every problem.
    """
    if path is None:
        return load_sample()
    try:
        return load(Path(path), Catalog)
    except ValidationError as exc:
        # Name the file: the problems' paths are relative to it.
        raise ValidationError(exc.errors, what=f"catalog {path}") from exc


def option_value(parse: Callable[[str], T], text: str, option: str) -> T:
    """*text* of the command-line *option* parsed by *parse*; a bad value is reported under the option's name.

    Two options parsed alike (``--commission 20`` and ``--leader-fee 5``) then fail with different messages.

    >>> from fenxiao.money import Rate
    >>> option_value(Rate.of, "20%", "--commission")
    Rate('0.2')
    >>> option_value(Rate.of, "20", "--commission")
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: --commission: is above 100%, got '20'
    """
    try:
        return parse(text)
    except InvalidValueError as exc:
        raise exc.at(option) from exc


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, align: str = "") -> str:
    """Render rows as a plain-text table; *align* gives ``l`` or ``r`` per column (numbers right by default).

    >>> print(render_table(["name", "n"], [["连衣裙", 5], ["T恤", 12]]))
    name     n
    ------  --
    连衣裙   5
    T恤     12
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    aligns = align or "".join(
        "r" if rows and isinstance(rows[0][i], (int, Money)) else "l" for i in range(len(headers))
    )

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if aligns[i] == "r" else cell + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def write_json(out: TextIO, data: Any) -> None:
    """Write *data* to *out* as the ``--json`` outputs are: indented, Chinese kept as is, one final newline.

    >>> import io
    >>> out = io.StringIO()
    >>> write_json(out, {"tier": "L5", "label": "精选好物"})
    >>> print(out.getvalue(), end="")
    {
      "tier": "L5",
      "label": "精选好物"
    }
    """
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def catalog_summary(catalog: Catalog, *, title: str = "Sample catalog") -> str:
    """A readable summary of a catalog: totals, then one row per third-level category and a total row.

    Units and GMV are those of each SKU's latest snapshot; "no sales" counts SKUs whose latest snapshot
    sold nothing in 30 days.
    """
    latest = {s.sku_id: s for s in catalog.latest_snapshots()}
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    merchants_per_cat: dict[str, set[str]] = defaultdict(set)
    for sku in catalog.skus:
        row = per_cat[sku.category_id]
        snap = latest.get(sku.id)
        row[0] += 1
        row[1] += snap.units_30d if snap else 0
        row[2] += snap.gmv_30d.fen if snap else 0
        row[3] += 1 if snap and snap.units_30d == 0 else 0
        merchants_per_cat[sku.category_id].add(sku.merchant_id)
    rows: list[list[object]] = []
    for category in catalog.categories:
        skus, units, gmv, idle = per_cat.get(category.id, [0, 0, 0, 0])
        rows.append(
            [
                str(category),
                skus,
                len(merchants_per_cat[category.id]),
                f"{units:,}",
                Money(gmv).format(grouping=True),
                idle,
            ]
        )
    totals = [sum(r[i] for r in per_cat.values()) for i in range(4)]
    total_gmv = Money(totals[2]).format(grouping=True)
    all_merchants = len({sku.merchant_id for sku in catalog.skus})
    rows.append(["total", totals[0], all_merchants, f"{totals[1]:,}", total_gmv, totals[3]])
    head = (
        f"{title}: {len(catalog.skus)} SKUs, {len(catalog.merchants)} merchants, "
        f"{len(catalog.brands)} brands, {len(catalog.categories)} third-level categories, "
        f"{len(catalog.influencers)} influencers, {len(catalog.team_leaders)} team leaders, "
        f"{len(catalog.listings)} listings; 30-day GMV {total_gmv}"
    )
    table = render_table(
        ["category (一级 > 二级 > 三级)", "SKUs", "merchants", "units 30d", "GMV 30d", "no sales"],
        rows,
        align="lrrrrr",
    )
    return f"{head}\n\n{table}"


def write_atomically(path: Path, text: str) -> None:
    """Write *text* to *path* so that a reader (or a crash) sees the old file or the new one, never half of one."""
    directory = path.parent if str(path.parent) else Path()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        # mkstemp creates the file for its owner only; keep the mode of the file replaced (0o644 for a new one).
        os.chmod(handle, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
