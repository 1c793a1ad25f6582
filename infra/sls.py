"""Reading serverless.yml the way the Serverless Framework does, for the local cloud.

CloudFormation short tags (!Ref, !GetAtt, !Sub, !Join, ...) become their long form, and the framework's
variables (`${self:...}`, `${sls:stage}`, `${opt:...}`, `${env:...}`) are resolved, so the local cloud
provisions and wires exactly what the file declares.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SERVERLESS_YML = ROOT / "serverless.yml"

_VARIABLE = re.compile(r"\$\{((?:self|sls|opt|env|aws):[^{}]+?)\}")


class _Loader(yaml.SafeLoader):
    pass


def _tag(name: str) -> Any:
    long = "Ref" if name == "Ref" else f"Fn::{name}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {long: value}

    return construct


for _name in (
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "Select",
    "Split",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "Base64",
    "Cidr",
    "ImportValue",
    "GetAZs",
):
    _Loader.add_constructor(f"!{_name}", _tag(_name))


@dataclass
class ServerlessConfig:
    raw: dict[str, Any]
    stage: str
    region: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def service(self) -> str:
        return str(self.raw["service"])

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.raw.get("resources", {}).get("Resources", {}))

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.raw.get("resources", {}).get("Parameters", {}))

    @property
    def conditions(self) -> dict[str, Any]:
        return dict(self.raw.get("resources", {}).get("Conditions", {}))

    @property
    def functions(self) -> dict[str, Any]:
        return dict(self.raw.get("functions", {}))

    @property
    def provider(self) -> dict[str, Any]:
        return dict(self.raw.get("provider", {}))


def load(
    stage: str = "local",
    region: str | None = None,
    path: Path = SERVERLESS_YML,
    env: dict[str, str] | None = None,
) -> ServerlessConfig:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    region = (
        region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1"
    )
    options = {"stage": stage, "region": region}
    resolved = _Resolver(raw, options, env if env is not None else dict(os.environ)).resolve(raw)
    return ServerlessConfig(resolved, stage, region, options)


class _Resolver:
    def __init__(self, raw: dict[str, Any], options: dict[str, str], env: dict[str, str]):
        self.raw = raw
        self.options = options
        self.env = env

    def resolve(self, node: Any, depth: int = 0) -> Any:
        if depth > 20:
            raise ValueError("serverless.yml variables nest too deeply")
        if isinstance(node, dict):
            return {k: self.resolve(v, depth) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v, depth) for v in node]
        if isinstance(node, str):
            return self._string(node, depth)
        return node

    def _string(self, text: str, depth: int) -> Any:
        whole = _VARIABLE.fullmatch(text)
        if whole:
            return self.resolve(self._lookup(whole.group(1)), depth + 1)
        return _VARIABLE.sub(lambda m: str(self.resolve(self._lookup(m.group(1)), depth + 1)), text)

    def _lookup(self, expression: str) -> Any:
        reference, default = _split_default(expression)
        source, _, path = reference.partition(":")
        value: Any = None
        if source == "self":
            value = self.raw
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        elif source == "sls" and path == "stage":
            value = self.options["stage"]
        elif source == "opt":
            value = self.options.get(path)
        elif source == "env":
            value = self.env.get(path)
        elif source == "aws" and path == "region":
            value = self.options["region"]
        if value is None:
            if default is None:
                raise ValueError(f"serverless.yml: cannot resolve ${{{expression}}}")
            return default
        return value


def _split_default(expression: str) -> tuple[str, Any]:
    if "," not in expression:
        return expression.strip(), None
    reference, _, default = expression.partition(",")
    default = default.strip()
    if len(default) >= 2 and default[0] == default[-1] and default[0] in "'\"":
        return reference.strip(), default[1:-1]
    try:
        return reference.strip(), int(default)
    except ValueError:
        return reference.strip(), default


def handler_target(handler: str) -> tuple[str, str]:
    """`services/catalog/handlers/http.handler` -> ("services.catalog.handlers.http", "handler")."""
    module, _, attribute = handler.rpartition(".")
    return module.replace("/", "."), attribute
