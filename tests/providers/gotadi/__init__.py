"""Tests of the Gotadi adapter: crypto, payloads, client, flow, sandbox, CLI (issue #5)."""
