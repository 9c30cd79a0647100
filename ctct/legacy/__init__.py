"""The adapter layer: the 2009 client's meaning translated to V3 calls, one module per area."""
