"""The domain: goods, people, listings, snapshots and the catalog that holds them."""
