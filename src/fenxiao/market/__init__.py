"""The market: admission of merchants and goods, the selection pool, program goals."""
