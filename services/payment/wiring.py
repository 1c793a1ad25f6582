"""The payment service assembled from its settings: one per container, shared by its functions."""

from __future__ import annotations

from functools import cache, partial

from services.core.dal.alarms import Alarms
from services.core.dal.dossiers import DynamoDossierRepository
from services.core.dal.structure import require_oversight
from services.core.settings import load
from services.payment.dal.gateway import MerchantApiClient
from services.payment.dal.notify import Notifier
from services.payment.dal.results import ResultBucket
from services.payment.dal.store import PaymentStore
from services.payment.logic.callbacks import Callbacks
from services.payment.logic.delivery import Delivery
from services.payment.logic.orders import Orders
from services.payment.logic.payments import Payments
from services.payment.logic.postal import LocalCarrier
from services.payment.logic.reconciliation import Reconciliation
from services.payment.logic.refunds import Refunds
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
    dossiers = DynamoDossierRepository(settings.table_name)
    store, gateway = PaymentStore(settings.table_name), MerchantApiClient()
    callbacks = Callbacks(store, settings, terminal)
    return Payments(
        orders=Orders(dossiers, store, ResultBucket(settings.results_bucket), settings, terminal),
        callbacks=callbacks,
        reconciliation=Reconciliation(
            store,
            store,
            Alarms(settings.table_name),
            gateway,
            callbacks,
            partial(require_oversight, settings.table_name),
            settings,
            terminal,
        ),
        refunds=Refunds(store, gateway, settings, terminal),
        settings=settings,
    )


@cache
def delivery() -> Delivery:
    settings = load(DeliverySettings)
    return Delivery(
        DynamoDossierRepository(settings.table_name),
        Notifier(settings.sender_email),
        LocalCarrier(),
        settings.portal_url,
    )
