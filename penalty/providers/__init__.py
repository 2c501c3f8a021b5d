"""Provider adapters: payload models, translations into the engine's types, HTTP clients, sandboxes.

Each provider lives in its own module or subpackage here. The engine (`penalty.policy`,
`penalty.timeline`, ...) never imports this package; translations go one way, provider → engine.
Modules here import httpx and cryptography lazily enough that ``import penalty`` stays cheap.
"""
