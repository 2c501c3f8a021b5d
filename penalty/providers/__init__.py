"""Provider adapters: Gotadi, Tiki and Ksher, each in the same shape, and what they share.

Each provider package (`penalty.providers.gotadi`, `.tiki`, `.ksher`) has ``models``,
``crypto``/``signing``, ``protocol`` (the sans-I/O core: build a request, read an answer),
``client`` (``Client`` on httpx's sync client, ``AsyncClient`` on its async one, both
``Client(config, http=...)``), ``config`` (``Config`` on pydantic-settings) and ``sandbox``
(``Sandbox``, served on uvicorn by ``penalty sandbox``), and exports them flat.

Shared, private: `_http` (the exchange every call goes through, and the two drivers),
`_client`, `_config`, `_keys` (the one RSA key loader), `_json` (answers within limits),
`_sandbox` / `_uvicorn` / `_book` (the sandboxes' server and what they remember),
`_sandbox_keys` (their TEST-ONLY keys).

The engine (`penalty.policy`, `penalty.timeline`, ...) never imports this package;
translations go one way, provider → engine. ``import penalty`` loads none of it.
"""
