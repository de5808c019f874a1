"""The matching layer: decisions over a directory (assessment, cover, match, capacity, gaps)."""
