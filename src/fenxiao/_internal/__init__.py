"""Private helpers shared by every layer (nothing here is public).

- :mod:`~fenxiao._internal.trusted`: :func:`builder`, the one way to build a value without its validators (it
  imports nothing of fenxiao, so that :mod:`fenxiao.money` can use it);
- :mod:`~fenxiao._internal.validators`: the attrs validators every domain type uses;
- :mod:`~fenxiao._internal.fixed`: fixed-point helpers for exact scores and weights;
- :mod:`~fenxiao._internal.toml`: the TOML writer (Python reads TOML but does not write it);
- :mod:`~fenxiao._internal.hooks`: where a module registers the file form of its types, without importing cattrs;
- :mod:`~fenxiao._internal.convert`: the one cattrs converter and ``loads``/``dumps`` (public face:
  :mod:`fenxiao.serialization`);
- :mod:`~fenxiao._internal.defaults`: reads the default rule files shipped in ``fenxiao/data/defaults/``.

Any fenxiao module may import from here; this package imports only :mod:`fenxiao.errors` and :mod:`fenxiao.money`.
"""
