"""What a process keeps of values it worked out once, for the requests after: a bounded dict."""

from typing import TypeVar

T = TypeVar("T")


class Memo(dict):
    """A dict that empties itself when it reaches `most` entries, rather than grow without
    bound (keys a client can vary) or pay for aging each entry on every request. A dict, so
    that looking a key up costs what a dict's `get` does."""

    def __init__(self, most: int):
        super().__init__()
        self.most = most

    def keep(self, key, value: T) -> T:
        """Keep `value` under `key`, and return it."""
        if len(self) >= self.most:
            self.clear()
        self[key] = value
        return value
