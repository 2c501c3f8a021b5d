"""Tiki order cancel: signing, client over the local sandbox, CLI."""
