"""Tests of `byot.types`, the typed dicts generated from the bundled schemas."""
