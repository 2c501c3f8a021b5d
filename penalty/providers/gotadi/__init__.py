"""Gotadi (B2B2C hotel API): penalty windows, cancellation, cancellation status (PROTOCOLS §A)."""
