"""Fingerprint of the local stage's officials signing key (the key itself lives in infra/).

Only the fingerprint is here, so a deployed function can recognise the dev key without shipping it.
"""

DEV_MODULUS_FINGERPRINT = "c4ff204ff2d996ad456978e2f7f01d94"
