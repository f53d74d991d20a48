"""Check real responses against the app's own /openapi.json."""

import re

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class SpecChecker:
    def __init__(self, spec: dict):
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry = Registry().with_resource("urn:shop-openapi", resource)
        self.checked: set[tuple[str, str]] = set()

    def check(self, response, method: str, template: str) -> None:
        """Assert that the response is one the spec lists for this operation, body and all."""
        status = str(response.status_code)
        operation = self.spec["paths"][template][method.lower()]
        assert status in operation["responses"], f"{method} {template} {status} not in spec"
        content = operation["responses"][status].get("content")
        if content is None:
            assert not response.data, "the spec promises no body"
        else:
            assert response.mimetype in content, (response.mimetype, list(content))
            schema = {"$ref": "urn:shop-openapi#/" + _pointer(
                "paths", template, method.lower(), "responses", status, "content",
                response.mimetype, "schema")}
            Draft202012Validator(schema, registry=self.registry).validate(response.json)
        self.checked.add((method.upper(), template))


def spec_paths_of(app) -> set[tuple[str, str]]:
    """(METHOD, /openapi/{template}) for every JSON route the app serves."""
    from shop.errors import is_api_path

    found = set()
    for rule in app.url_map.iter_rules():
        if not is_api_path(rule.rule) or rule.rule == "/openapi.json":
            continue
        if rule.rule.startswith("/payments/"):
            continue  # the gateway's own endpoints, not part of the public API
        template = re.sub(r"<(?:int:)?[a-z_]+>", "{id}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, template))
    return found
