"""What serverless.yml gives each function: its handler, its environment, its gateway routes, its role.

CloudFormation references resolve to placeholder names: the tests here need the shape of a deployed
function's environment (which variables, which stage), not real resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from infra import sls
from infra.provision import Provisioned, resolve

PROD_ORIGIN = "https://dichvucong.soctrang.gov.vn"
_PARAMETER = re.compile(r"\{[^}]+\}")


class _Placeholders(Provisioned):
    def ref(self, logical: str) -> Any:
        return f"{self.stack}-{logical.lower()}"

    def att(self, logical: str, name: str) -> Any:
        return f"arn:aws:placeholder:{self.region}:123456789012:{self.stack}-{logical.lower()}/{name}"


@dataclass(frozen=True)
class Function:
    name: str
    module: str
    environment: dict[str, str]
    routes: tuple[tuple[str, str, bool], ...]  # method, path, behind the officials' authorizer
    statements: tuple[dict[str, Any], ...]  # its role's policy statements

    @property
    def is_http(self) -> bool:
        return bool(self.routes)

    @property
    def verifies_officials(self) -> bool:
        return any(authorized for _, _, authorized in self.routes)

    @property
    def gateway_secret_param(self) -> str | None:
        return self.environment.get("VNPAY_HASH_SECRET_PARAM") or None

    @property
    def reads_gateway_secret(self) -> bool:
        """Its role may read the gateway's hash secret from SSM (only those functions fetch it)."""
        param = self.gateway_secret_param
        return param is not None and any(
            "ssm:GetParameter" in _listed(s.get("Action")) and param in str(s.get("Resource"))
            for s in self.statements
        )


def functions(stage: str = "prod") -> dict[str, Function]:
    config = sls.load(stage=stage, env={"PORTAL_URL": PROD_ORIGIN, "API_URL": PROD_ORIGIN})
    done = _Placeholders(region=config.region, stack=f"{config.service}-{stage}")
    provider_env = resolve(config.provider.get("environment", {}), done)
    found = {}
    for name, spec in config.functions.items():
        module, _ = sls.handler_target(spec["handler"])
        environment = {**provider_env, **resolve(spec.get("environment", {}), done)}
        routes = tuple(
            (
                str(e["httpApi"]["method"]).upper(),
                str(e["httpApi"]["path"]),
                (e["httpApi"].get("authorizer") or {}).get("name") == "officials",
            )
            for e in spec.get("events", [])
            if "httpApi" in e
        )
        role = config.resources.get(str(spec.get("role", "")), {})
        statements = tuple(
            s
            for policy in role.get("Properties", {}).get("Policies", [])
            for s in policy.get("PolicyDocument", {}).get("Statement", [])
        )
        found[name] = Function(
            name, module, {k: str(v) for k, v in environment.items()}, routes, resolve(statements, done)
        )
    return found


def route_key(method: str, path: str) -> str:
    """`GET /api/x/{anything}`: path parameters' names differ between the gateway and the app."""
    return f"{method} {_PARAMETER.sub('{}', path)}"


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def gateway_cors(stage: str = "prod") -> dict[str, Any]:
    """API Gateway's own CORS answer for the HTTP API (it answers preflights before any function)."""
    config = sls.load(stage=stage, env={"PORTAL_URL": PROD_ORIGIN, "API_URL": PROD_ORIGIN})
    return dict(config.provider.get("httpApi", {}).get("cors", {}))
