"""A second, independent synthetic borough for testing record matching (see README.md)."""
