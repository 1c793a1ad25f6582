"""The route table of every HTTP function, each route classified by who may call it.

The classification reads each route's dependencies, nothing else:

- `official`: it depends on `current_official` through exactly one `RequireRoles` guard, which names
  the roles it admits;
- `citizen`: its only security scheme is the dossier's capability token (`dossierToken`);
- `public`: no security scheme at all (tests/security keeps the reviewed list of those);
- anything else is `unclassified`, and the authorization matrix fails on it.

`python -m tests.security.routes` prints the table as JSON: the matrix is parametrized from it at
collection time, before any fixture has built the environment the apps need to import.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from tests.security.deployment import functions

OFFICIAL, CITIZEN, PUBLIC, UNCLASSIFIED = "official", "citizen", "public", "unclassified"
CITIZEN_SCHEME, OFFICIAL_SCHEME = "dossierToken", "officialJWT"


@dataclass(frozen=True)
class RouteInfo:
    function: str
    service: str
    method: str
    path: str
    access: str
    roles: tuple[str, ...] = ()
    path_params: tuple[str, ...] = ()
    required_query: tuple[str, ...] = ()
    body: bool = False
    why: str = ""  # for an unclassified route: what is wrong with it

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def label(self) -> str:
        return f"{self.service} {self.method} {self.path}"

    @property
    def writes(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


def http_functions() -> dict[str, str]:
    """Function name -> handler module, for every function serverless.yml gives HTTP routes."""
    return {f.name: f.module for f in functions(stage="local").values() if f.is_http}


def http_apps(modules: dict[str, str]) -> dict[str, Any]:
    return {name: importlib.import_module(module).app for name, module in modules.items()}


def route_table(apps: dict[str, Any]) -> list[RouteInfo]:
    return [
        info for name, app in sorted(apps.items()) for route in app.routes for info in classify(name, route)
    ]


def classify(function: str, route: Any) -> Iterator[RouteInfo]:
    from fastapi.routing import APIRoute

    methods = sorted(m for m in (getattr(route, "methods", None) or ()) if m != "HEAD")
    path = str(route.path)
    service = path.split("/")[2] if path.startswith("/api/") else function
    for method in methods:
        if not isinstance(route, APIRoute):
            # FastAPI's own pages (OpenAPI document, Swagger UI): plain routes without dependencies
            yield RouteInfo(function, service, method, path, PUBLIC)
            continue
        access, roles, why = _access(route)
        dependant = route.dependant
        yield RouteInfo(
            function,
            service,
            method,
            path,
            access,
            roles,
            tuple(p.name for p in dependant.path_params),
            tuple(str(p.alias) for p in dependant.query_params if p.field_info.is_required()),
            bool(dependant.body_params),
            why,
        )


def _access(route: Any) -> tuple[str, tuple[str, ...], str]:
    from fastapi.security.base import SecurityBase

    from services.core.officials import RequireRoles, current_official

    calls = [d.call for d in _dependants(route.dependant)]
    guards = [c for c in calls if isinstance(c, RequireRoles)]
    schemes = {c.scheme_name for c in calls if isinstance(c, SecurityBase)}
    official = current_official in calls
    if official or guards or OFFICIAL_SCHEME in schemes:
        if len(guards) != 1 or not official or schemes != {OFFICIAL_SCHEME}:
            return UNCLASSIFIED, (), "an officials' route needs exactly one RequireRoles guard and no other"
        return OFFICIAL, tuple(sorted(r.value for r in guards[0].roles)), ""
    if schemes == {CITIZEN_SCHEME}:
        return CITIZEN, (), ""
    if not schemes:
        return PUBLIC, (), ""
    return UNCLASSIFIED, (), f"unknown security schemes {sorted(schemes)}"


def _dependants(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependants(sub)


@cache
def collected() -> list[RouteInfo]:
    """The route table, from a subprocess that imports the apps the way the local stage does."""
    local = {f.name: f for f in functions(stage="local").values() if f.is_http}
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OFFICIALS_", "VNPAY_", "AWS_ENDPOINT"))
    }
    for function in local.values():
        environment.update(function.environment)
    from infra.tokens import dev_jwks
    from services.core.settings import DEV_VNPAY_HASH_SECRET

    environment.update(
        {
            "OFFICIALS_JWKS": dev_jwks(),
            "VNPAY_HASH_SECRET": DEV_VNPAY_HASH_SECRET,
            "VNPAY_HASH_SECRET_PARAM": "",
            "AWS_DEFAULT_REGION": "ap-southeast-1",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.security.routes", *(f"{f.name}={f.module}" for f in local.values())],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"could not read the route table:\n{done.stderr[-3000:]}")
    return [_route_info(row) for row in json.loads(done.stdout)]


def _route_info(row: dict[str, Any]) -> RouteInfo:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in row.items()}
    return RouteInfo(**values)


if __name__ == "__main__":
    modules = dict(arg.split("=", 1) for arg in sys.argv[1:])
    print(json.dumps([asdict(r) for r in route_table(http_apps(modules))]))
