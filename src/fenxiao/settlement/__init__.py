"""The money path: commission plans, platform profiles, orders, the split, the ledger and scenarios."""
