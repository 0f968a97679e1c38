"""Private helpers shared by every layer: validators, fixed-point arithmetic, the TOML writer, trusted builders.

Nothing here is public; any fenxiao module may import from here, and this package imports only
:mod:`fenxiao.errors` and :mod:`fenxiao.money`.
"""
