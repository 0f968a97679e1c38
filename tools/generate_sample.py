"""Regenerate the built-in sample catalog: ``make sample`` (or ``python tools/generate_sample.py``).

Pass ``--skus N --seed S --out FILE`` to write a larger catalog for benchmarks, or ``--check`` to verify
that the shipped file is what the generator makes (exit status 1 if it is stale).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from fenxiao.domain.catalog import Catalog
from fenxiao.sample import SAMPLE_SEED, SAMPLE_SKUS, generate_catalog
from fenxiao.serialization import dumps

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "fenxiao" / "data" / "sample_catalog.json"


def render(catalog: Catalog) -> str:
    """The catalog as the shipped file's text: JSON with one-space indents and a final newline."""
    return dumps(catalog, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=SAMPLE_SKUS)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = parser.parse_args(argv)
    catalog = generate_catalog(seed=args.seed, skus=args.skus)
    text = render(catalog)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
        if current != text:
            print(f"{args.out} is stale: run python tools/generate_sample.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(catalog.skus)} SKUs to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
