"""Conformance of byot's requests against steady, a third-party mock that validates them."""
