"""The payment service assembled from its settings: one per container, shared by its functions."""

from __future__ import annotations

from functools import cache

from services.core.settings import load
from services.payment.dal.notify import Notifier
from services.payment.dal.store import PaymentStore
from services.payment.logic.delivery import Delivery
from services.payment.logic.payments import Payments
from services.payment.logic.postal import LocalCarrier
from services.payment.logic.vnpay import Terminal
from services.payment.settings import DeliverySettings, PaymentSettings


@cache
def terminal() -> Terminal:
    """The merchant terminal; on AWS its hash secret is a SecureString in SSM, read once per container."""
    settings = load(PaymentSettings)
    secret = settings.vnpay_hash_secret
    if not secret:
        if not settings.vnpay_hash_secret_param:
            raise RuntimeError("set VNPAY_HASH_SECRET or VNPAY_HASH_SECRET_PARAM")
        from aws_lambda_powertools.utilities import parameters

        secret = str(parameters.get_parameter(settings.vnpay_hash_secret_param, decrypt=True))
        from services.core.settings import InsecureConfiguration, is_dev_secret

        if is_dev_secret(secret) and not settings.is_local:
            raise InsecureConfiguration("the gateway's hash secret in SSM is the development one")
    return Terminal(settings.vnpay_tmn_code, secret, settings.vnpay_pay_url, settings.vnpay_api_url)


@cache
def payments() -> Payments:
    settings = load(PaymentSettings)
    # the hash secret is settings too: read at cold start, so a development one stops the function here
    # and not at its first payment
    terminal()
    return Payments(PaymentStore(settings.table_name, settings.results_bucket), settings, terminal)


@cache
def delivery() -> Delivery:
    settings = load(DeliverySettings)
    return Delivery(
        PaymentStore(settings.table_name, settings.results_bucket),
        Notifier(settings.sender_email),
        LocalCarrier(),
        settings.portal_url,
    )
