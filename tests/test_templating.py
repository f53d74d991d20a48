"""The URL helpers of the templates give what url_for gives, built once per app and script root."""

import pytest
from flask import render_template_string, url_for


def test_kept_urls_are_what_url_for_builds(app):
    with app.test_request_context("/"):
        globals_ = app.jinja_env.globals
        assert globals_["fixed_url"]("cart.show") == url_for("cart.show")
        assert globals_["fixed_url"]("storefront.page", slug="terms") == url_for(
            "storefront.page", slug="terms")
        urls = globals_["fixed_urls"](cart="cart.show", home="catalog.index")
        assert (urls.cart, urls.home) == (url_for("cart.show"), url_for("catalog.index"))
        prefix = globals_["url_prefix"]("orders.detail", "order_id")
        assert prefix + "42" == url_for("orders.detail", order_id=42)
        assert globals_["url_template"]("orders.detail", order_id="id") == \
            url_for("orders.detail", order_id=1).replace("1", "{id}")


def test_kept_urls_follow_the_script_root(app):
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/shop"}):
        assert app.jinja_env.globals["fixed_url"]("cart.show") == "/shop/cart"
        assert app.jinja_env.globals["url_prefix"]("orders.detail", "order_id") == \
            "/shop/account/orders/"
    with app.test_request_context("/"):
        assert app.jinja_env.globals["fixed_url"]("cart.show") == "/cart"


def test_a_url_prefix_needs_a_route_that_ends_with_the_id(app):
    with app.test_request_context("/"), pytest.raises(ValueError):
        app.jinja_env.globals["url_prefix"]("cart.remove_line", "product_id")


def test_aria_label_escapes_the_pattern_and_the_name(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "<b {{ 'Edit <{name}>' | aria_label('data-lead-label', name) }}>",
            name='"Ann" & <co>')
    assert html == ('<b data-lead-label="Edit &lt;{name}&gt;" '
                    'aria-label="Edit &lt;&#34;Ann&#34; &amp; &lt;co&gt;&gt;">')
