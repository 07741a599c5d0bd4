"""A realistic demo county, generated deterministically and loaded through the real services."""
