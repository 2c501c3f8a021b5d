"""penalty: exact hotel cancellation penalties."""

__all__: list[str] = []
