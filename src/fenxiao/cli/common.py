"""What every command shares: the catalog option, model files, options parsed into values, tables and JSON.

The convention of every command (see docs/cli.md): a catalog is ``--catalog FILE`` (the built-in sample when left
out; :func:`add_catalog_option`), a model file is ``--scorecards``, ``--policy`` or ``--perks``
(:func:`add_model_options`), a bad value is reported under its option's name with the likely fix
(:func:`rate_option`, :func:`money_option`, :func:`whole_number`), and a table is cut to its top and bottom rows and
fitted to the terminal's width inside :func:`table_view` (what ``demo`` does).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

import attrs

from fenxiao.domain.catalog import Catalog
from fenxiao.errors import InvalidValueError, ValidationError
from fenxiao.grading.perks import PerkCatalog
from fenxiao.grading.tiers import TierPolicy
from fenxiao.money import Money, Rate
from fenxiao.periods.models import Models
from fenxiao.sample import load_sample
from fenxiao.scoring.scorecards import Scorecards
from fenxiao.serialization import load

__all__ = [
    "CONCISE",
    "FULL",
    "MODEL_FILES",
    "TableView",
    "add_catalog_option",
    "add_model_options",
    "catalog_path",
    "catalog_summary",
    "catalog_summary_data",
    "current_view",
    "load_catalog",
    "load_file",
    "money_option",
    "option_value",
    "rate_option",
    "read_models",
    "render_table",
    "table_view",
    "whole_number",
    "wrap_line",
    "write_atomically",
    "write_json",
]

T = TypeVar("T")

_CATALOG_HELP: Final = "a catalog file (.json/.toml); the built-in sample by default"


def add_catalog_option(parser: argparse.ArgumentParser, *, positional: bool = True) -> None:
    """Add ``--catalog FILE`` to *parser*; with *positional*, also the deprecated positional ``CATALOG`` (hidden from
    ``--help``, still read: commands that took their catalog as a positional argument keep working)."""
    parser.add_argument("--catalog", metavar="FILE", help=_CATALOG_HELP)
    if positional:
        parser.add_argument("catalog_file", nargs="?", metavar="CATALOG", help=argparse.SUPPRESS)


def catalog_path(args: argparse.Namespace) -> str | None:
    """The catalog file of the parsed *args*: ``--catalog``, else the deprecated positional ``CATALOG``, else ``None``
    (the built-in sample).

    Raises:
        InvalidValueError: Both were given.
    """
    old: str | None = getattr(args, "catalog_file", None)
    if old is not None and args.catalog is not None:
        raise InvalidValueError("--catalog", old, f"is given twice (as --catalog {args.catalog} and positionally)")
    return args.catalog if args.catalog is not None else old


def load_file(path: str, cls: type[T], *, option: str, what: str) -> T:
    """The file at *path* given as *option*, read as *cls* (a *what*: ``tier policy``, ``catalog`` ...).

    Raises:
        InvalidValueError: The file cannot be read or has another suffix than .json/.toml, named as *option*.
        ValidationError: The file is not a valid *what*; the message names the file and every problem.
    """
    try:
        return load(Path(path), cls)
    except ValidationError as exc:
        # Name the file: the problems' paths are relative to it.
        raise ValidationError(exc.errors, what=f"{what} {path}") from exc
    except InvalidValueError as exc:
        if exc.path == "load.path":
            raise exc.at(option) from exc
        raise


def load_catalog(path: str | None, *, option: str = "--catalog") -> Catalog:
    """The catalog in *path* (``.json`` or ``.toml``), or the built-in sample when *path* is ``None``.

    Raises:
        InvalidValueError: *path* cannot be read or has another suffix (named as *option*).
        ValidationError: The file is not a valid catalog; the message names the file and every problem.
    """
    if path is None:
        return load_sample()
    return load_file(path, Catalog, option=option, what="catalog")


#: The model files a command may take: option name (without ``--``) → the class it loads as, what it is, its help.
MODEL_FILES: Final[dict[str, tuple[type[Any], str, str]]] = {
    "scorecards": (Scorecards, "scorecards", "a scorecards file (.toml/.json); the default scorecards otherwise"),
    "policy": (TierPolicy, "tier policy", "a tier policy file (.toml/.json); the default policy otherwise"),
    "perks": (PerkCatalog, "perk catalog", "a perk catalog file (.toml/.json); the default perk catalog otherwise"),
}


def add_model_options(parser: argparse.ArgumentParser, *names: str) -> None:
    """Add ``--scorecards FILE``, ``--policy FILE`` and ``--perks FILE`` (or those of *names*) to *parser*."""
    for name in names or tuple(MODEL_FILES):
        parser.add_argument(f"--{name}", metavar="FILE", help=MODEL_FILES[name][2])


def read_models(args: argparse.Namespace, base: Models | None = None) -> Models:
    """*base* (the default models when ``None``) with each model file of *args* (``--scorecards``, ``--policy``,
    ``--perks``: those given) in place of its part.

    Raises:
        InvalidValueError: A file cannot be read (named by its option).
        ValidationError: A file is not a valid model of its kind.
    """
    models = base if base is not None else Models()
    for name, (cls, what, _) in MODEL_FILES.items():
        path = getattr(args, name, None)
        if path is not None:
            models = attrs.evolve(models, **{name: load_file(path, cls, option=f"--{name}", what=what)})
    return models


@attrs.frozen
class DemoModels:
    """The models the demo grades with, and the files they came from (option name → path; empty: the defaults)."""

    models: Models
    files: dict[str, str] = attrs.field(factory=dict)

    def describe(self) -> str:
        """How the demo names its models: ``default scorecards, tier policy and perk catalog``, or each file."""
        if not self.files:
            return "default scorecards, tier policy and perk catalog"
        return ", ".join(
            f"{MODEL_FILES[name][1]} {self.files[name]}" if name in self.files else f"default {MODEL_FILES[name][1]}"
            for name in MODEL_FILES
        )


_DEMO_MODELS: Final[ContextVar[DemoModels | None]] = ContextVar("fenxiao_demo_models", default=None)


def demo_models() -> DemoModels:
    """The models of the running ``demo`` (its ``--scorecards``, ``--policy`` and ``--perks``), the defaults
    otherwise: every demo section that grades reads them here."""
    current = _DEMO_MODELS.get()
    return current if current is not None else DemoModels(Models())


@contextlib.contextmanager
def using_demo_models(args: argparse.Namespace) -> Iterator[DemoModels]:
    """Within the block, :func:`demo_models` gives the models of *args*' model files (read as :func:`read_models`)."""
    files = {name: path for name in MODEL_FILES if (path := getattr(args, name, None)) is not None}
    token = _DEMO_MODELS.set(DemoModels(read_models(args), files))
    try:
        yield demo_models()
    finally:
        _DEMO_MODELS.reset(token)


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


def rate_option(text: str, option: str) -> Rate:
    """The rate *text* of *option* (``20%``, ``200‰`` or ``0.2``); a number above 1 without ``%`` is refused with
    the likely fix.

    >>> rate_option("20%", "--commission")
    Rate('0.2')
    >>> rate_option("20", "--commission")
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: --commission: is above 100% (did you mean 20%?), got '20'
    """
    try:
        return Rate.of(text)
    except InvalidValueError as exc:
        hint = _percent_hint(text)
        problem = f"{exc.problem} (did you mean {hint}?)" if hint else exc.problem
        raise InvalidValueError(option, text, problem) from None


_PERCENT: Final = 100


def _percent_hint(text: str) -> str | None:
    """``20%`` for ``20``: a plain number above 1 and at most 100 was most likely meant as a percentage."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return f"{text.strip()}%" if number.is_finite() and 1 < number <= _PERCENT else None


def money_option(text: str, option: str) -> Money:
    """The amount *text* of *option* in yuan (``99.90``, ``¥99.90``), refused when negative.

    >>> money_option("99.90", "--paid")
    Money(fen=9990, currency='CNY')
    >>> money_option("-5", "--paid")
    Traceback (most recent call last):
    ...
    fenxiao.errors.InvalidValueError: --paid: must not be negative (an amount in yuan, e.g. 99.90), got '-5'
    """
    amount = option_value(Money.of, text, option)
    if amount.fen < 0:
        raise InvalidValueError(option, text, "must not be negative (an amount in yuan, e.g. 99.90)")
    return amount


def whole_number(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number, at least *low* and at most *high* when given: a bad value is a usage
    error naming the option, ``--page: must be at least 1, got '0'``.

    >>> whole_number(1)("3")
    3
    >>> whole_number(1, 10)("11")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be between 1 and 10, got '11'
    """

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"is not a whole number, got {text!r}") from None
        if low is not None and high is not None and not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}, got {text!r}")
        if low is not None and number < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:,}, got {text!r}")
        if high is not None and number > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, got {text!r}")
        return number

    parse.__name__ = "whole number"
    return parse


# -- tables -------------------------------------------------------------------------------------------------


@attrs.frozen
class TableView:
    """How :func:`render_table` shows a table: every row (``head=None``) or the first *head* and last *tail* rows
    with a line saying how many are left out (*more* says where to see them), cells cut to fit *width* columns."""

    head: int | None = None
    tail: int = 0
    width: int | None = None
    more: str = ""


#: Every row, every cell whole: what commands print.
FULL: Final = TableView()

#: The top 5 and bottom 3 rows of a long table, within 100 columns: the demo's view.
CONCISE: Final = TableView(head=5, tail=3, width=100, more="python -m fenxiao demo --all shows every row")

_VIEW: ContextVar[TableView] = ContextVar("fenxiao_cli_table_view", default=FULL)


@contextlib.contextmanager
def table_view(view: TableView) -> Iterator[TableView]:
    """Render the tables of the ``with`` block in *view* (``demo`` renders every section in :data:`CONCISE`).

    >>> rows = [[f"sku-{i}", i] for i in range(20)]
    >>> with table_view(TableView(head=2, tail=1)):
    ...     print(render_table(["sku", "n"], rows))
    sku      n
    ------  --
    sku-0    0
    sku-1    1
    ... 17 more rows
    sku-19  19
    """
    token = _VIEW.set(view)
    try:
        yield view
    finally:
        _VIEW.reset(token)


def current_view() -> TableView:
    """The view tables are rendered in now (:data:`FULL` outside :func:`table_view`); a demo section may ask it
    whether to leave out detail (``current_view().head is not None``)."""
    return _VIEW.get()


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, align: str = "", view: TableView | None = None
) -> str:
    """Render rows as a plain-text table; *align* gives ``l`` or ``r`` per column (numbers right by default).

    *view* (the :func:`current_view` when ``None``) may cut a long table to its top and bottom rows and the widest
    left-aligned columns (never the first) to fit a width, ending a cut cell with ``…``.

    >>> print(render_table(["name", "n"], [["连衣裙", 5], ["T恤", 12]]))
    name     n
    ------  --
    连衣裙   5
    T恤     12
    """
    shown = view if view is not None else current_view()
    cells = [[str(c) for c in row] for row in rows]
    aligns = align or "".join(
        "r" if rows and isinstance(rows[0][i], (int, Money)) else "l" for i in range(len(headers))
    )
    left_out = 0
    if shown.head is not None and len(cells) > shown.head + shown.tail + 1:
        left_out = len(cells) - shown.head - shown.tail
        cells = cells[: shown.head] + (cells[-shown.tail :] if shown.tail else [])
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    if shown.width is not None:
        widths = _fit(widths, [_width(h) for h in headers], aligns, shown.width)

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(row):
            text = _cut(cell, widths[i])
            pad = " " * (widths[i] - _width(text))
            parts.append(pad + text if aligns[i] == "r" else text + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(r) for r in cells]
    if left_out:
        more = f"... {left_out} more rows" + (f" ({shown.more})" if shown.more else "")
        body.insert(shown.head or 0, _cut(more, shown.width) if shown.width is not None else more)
    return "\n".join([line(list(headers)), rule, *body])


def _fit(widths: list[int], minimum: list[int], aligns: str, limit: int) -> list[int]:
    """Column widths within *limit* columns: the left-aligned text columns after the first give way from the right
    (the last one first, as far as it can), none below its header or 12 columns (a short column, such as a tier and
    its label, stays whole)."""
    fitted = list(widths)
    over = sum(fitted) + 2 * (len(fitted) - 1) - limit
    for i in reversed(range(1, len(fitted))):
        if over <= 0:
            break
        if aligns[i] == "l":
            step = min(over, max(0, fitted[i] - max(minimum[i], min(widths[i], 12))))
            fitted[i] -= step
            over -= step
    return fitted


def _cut(text: str, width: int) -> str:
    """*text* within *width* display columns, ending in ``…`` when cut."""
    if _width(text) <= width:
        return text
    kept, used = [], 0
    for ch in text:
        if used + _width(ch) > width - 1:
            break
        kept.append(ch)
        used += _width(ch)
    return "".join(kept) + "…"


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def wrap_line(line: str, width: int) -> list[str]:
    """*line* broken at spaces into lines of at most *width* display columns (Chinese counts two); continuation lines
    are indented two spaces more than the first. A word wider than the line is cut.

    >>> wrap_line("Period week-1: 200 SKUs graded (200 for the first time)", 24)
    ['Period week-1: 200 SKUs', '  graded (200 for the', '  first time)']
    """
    if _width(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip(" "))]
    lines: list[str] = []
    prefix, current = indent, ""
    for word in line.split():
        if not current:
            current = word
        elif _width(f"{prefix}{current} {word}") <= width:
            current = f"{current} {word}"
        else:
            lines.append(prefix + current)
            prefix, current = indent + "  ", word
    lines.append(prefix + current)
    return [_cut(text, width) for text in lines]


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


def catalog_summary_data(catalog: Catalog, *, title: str = "Sample catalog") -> dict[str, Any]:
    """The numbers of :func:`catalog_summary` as the ``--json`` of ``demo`` prints them (amounts as exact yuan
    strings): the counts of every collection, the 30-day GMV, and one entry per third-level category."""
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
    categories = []
    for category in catalog.categories:
        skus, units, gmv, idle = per_cat.get(category.id, [0, 0, 0, 0])
        categories.append(
            {
                "category_id": category.id,
                "name": str(category),
                "skus": skus,
                "merchants": len(merchants_per_cat[category.id]),
                "units_30d": units,
                "gmv_30d": Money(gmv).to_text(),
                "no_sales": idle,
            }
        )
    return {
        "title": title,
        "skus": len(catalog.skus),
        "merchants": len(catalog.merchants),
        "brands": len(catalog.brands),
        "categories": len(catalog.categories),
        "influencers": len(catalog.influencers),
        "team_leaders": len(catalog.team_leaders),
        "mcns": len(catalog.mcns),
        "listings": len(catalog.listings),
        "units_30d": sum(r[1] for r in per_cat.values()),
        "gmv_30d": Money(sum(r[2] for r in per_cat.values())).to_text(),
        "no_sales": sum(r[3] for r in per_cat.values()),
        "per_category": categories,
    }


def catalog_summary(catalog: Catalog, *, title: str = "Sample catalog") -> str:
    """A readable summary of a catalog: totals, then one row per third-level category and a total row.

    Units and GMV are those of each SKU's latest snapshot; "no sales" counts SKUs whose latest snapshot
    sold nothing in 30 days.
    """
    data = catalog_summary_data(catalog, title=title)
    rows: list[list[object]] = [
        [
            c["name"],
            c["skus"],
            c["merchants"],
            f"{c['units_30d']:,}",
            Money.of(c["gmv_30d"]).format(grouping=True),
            c["no_sales"],
        ]
        for c in data["per_category"]
    ]
    all_merchants = len({sku.merchant_id for sku in catalog.skus})
    total_gmv = Money.of(data["gmv_30d"]).format(grouping=True)
    rows.append(["total", data["skus"], all_merchants, f"{data['units_30d']:,}", total_gmv, data["no_sales"]])
    head = (
        f"{title}: {data['skus']} SKUs, {data['merchants']} merchants, "
        f"{data['brands']} brands, {data['categories']} third-level categories, "
        f"{data['influencers']} influencers ({data['mcns']} MCN agencies), {data['team_leaders']} team leaders, "
        f"{data['listings']} listings; 30-day GMV {total_gmv}"
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
