"""The Stripe tests' fixtures (tests/stripe/fixtures.py); what tests import is in helpers.py."""

from tests.stripe.fixtures import (  # noqa: F401  (fixtures, found by name)
    app_config,
    localstripe,
    localstripe_server,
    order_row,
    post_event,
    recording_proxy,
    webhooks_to_app,
)
