"""Flask's JSON answers, serialised by orjson: the same bytes as Flask's own provider, sooner.

Flask's DefaultJSONProvider answers compact JSON with sorted keys, non-ASCII escaped and a
final newline. orjson gives the same bytes for the shop's answers (ASCII strings, integers,
lists, dicts) several times faster. Whatever orjson would write differently (non-ASCII text,
which Flask escapes; dates and dataclasses, which Flask converts its own way; integers past
64 bits) goes through Flask's provider unchanged, so no client sees a difference.
"""

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class OrjsonProvider(DefaultJSONProvider):
    """DefaultJSONProvider whose responses orjson writes when the bytes would be the same."""

    def response(self, *args: Any, **kwargs: Any) -> Any:  # the app's response_class
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)  # indented for a person to read
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=OPTIONS)
        except TypeError:  # orjson.JSONEncodeError too: let Flask's encoder decide
            return super().response(*args, **kwargs)
        if not body.isascii():
            return super().response(*args, **kwargs)  # Flask escapes non-ASCII as \uXXXX
        # Flask types response_class as werkzeug's sans-I/O base, which takes no body.
        return self._app.response_class(body + b"\n",  # type: ignore[arg-type]
                                        mimetype=self.mimetype)
