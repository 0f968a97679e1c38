"""Regenerate the built-in sample catalog: ``make sample`` (or ``python tools/generate_sample.py``).

Pass ``--skus N --seed S --out FILE`` to write a larger catalog for benchmarks.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fenxiao.sample import SAMPLE_SEED, SAMPLE_SKUS, generate_catalog
from fenxiao.serialization import dumps

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "fenxiao" / "data" / "sample_catalog.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skus", type=int, default=SAMPLE_SKUS)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    catalog = generate_catalog(seed=args.seed, skus=args.skus)
    args.out.write_text(dumps(catalog, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(catalog.skus)} SKUs to {args.out}")


if __name__ == "__main__":
    main()
