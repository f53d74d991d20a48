"""localstripe, taught the PaymentIntent parameters the shop sends and Stripe accepts.

localstripe 1.15 refuses `description`, `receipt_email` and `statement_descriptor_suffix` on a
PaymentIntent ("Unexpected …"), though Stripe's API takes them. This wrapper keeps them on the
intent, as Stripe does, and then runs localstripe's own server unchanged.
"""

import sys

from localstripe import resources
from localstripe.server import start

EXTRA = ("description", "receipt_email", "statement_descriptor_suffix")
_original_init = resources.PaymentIntent.__init__


def _init(self, *args, **kwargs):
    extra = {name: kwargs.pop(name) for name in EXTRA if name in kwargs}
    _original_init(self, *args, **kwargs)
    for name in EXTRA:
        setattr(self, name, extra.get(name))


resources.PaymentIntent.__init__ = _init

if __name__ == "__main__":
    sys.exit(start())
