from pydantic import Field

from services.core.settings import OfficialsSettings


class PaymentSettings(OfficialsSettings):
    api_url: str = Field(min_length=1, description="public origin of the APIs (the gateway's return URL)")
    results_bucket: str = Field(min_length=1)
    vnpay_tmn_code: str = Field(min_length=1)
    vnpay_hash_secret: str = Field(default="", description="locally; on AWS it comes from SSM")
    vnpay_hash_secret_param: str = Field(default="", description="SSM SecureString name of the hash secret")
    vnpay_pay_url: str = Field(min_length=1)
    vnpay_api_url: str = Field(min_length=1)
    payment_expiry_minutes: int = Field(default=15, ge=5, le=1440)
    reconcile_after_minutes: int = Field(default=5, ge=0, le=1440)
    gateway_timeout_seconds: float = Field(default=10.0, gt=0, le=30)

    def _secret_values(self) -> dict[str, str]:
        return {**super()._secret_values(), "VNPAY_HASH_SECRET": self.vnpay_hash_secret}


class DeliverySettings(PaymentSettings):
    sender_email: str = Field(min_length=3, description="verified SES identity notifications come from")
