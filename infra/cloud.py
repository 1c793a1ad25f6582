"""`make run`: the whole system in one process on this machine.

An embedded AWS (moto's server) on AWS_PORT; the resources of serverless.yml provisioned in it; the
catalogue seeded; every function of serverless.yml wired to its event sources (HTTP routes, queues,
the table stream, schedules) with the same handlers Lambda calls; the portal, the payment gateway
simulator and the developer endpoints; all on http://127.0.0.1:PORT.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra import sls
from infra.faults import FaultPlan
from infra.provision import Provisioned, provision, resolve
from infra.sources import Scheduler, SqsSource, StreamSource
from infra.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, dev_jwks

ROOT = Path(__file__).resolve().parent.parent
REGION = "ap-southeast-1"
log = logging.getLogger("infra")


@dataclass
class LocalOptions:
    """Every variable API.md lists, with its local default (README.md documents them)."""

    port: int = 8000
    aws_port: int = 4566
    host: str = "127.0.0.1"
    vnpay_tmn_code: str = ""
    vnpay_hash_secret: str = ""
    officials_jwks: str = ""
    officials_issuer: str = DEFAULT_ISSUER
    officials_audience: str = DEFAULT_AUDIENCE
    retry_delay: int = 1
    pollers_per_queue: int = 2
    seed: bool = True
    attach: bool = False  # use an embedded AWS that is already running and provisioned

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> LocalOptions:
        from services.core.settings import DEV_VNPAY_HASH_SECRET, DEV_VNPAY_TMN_CODE

        env = dict(os.environ) if env is None else env
        return cls(
            port=int(env.get("PORT", "8000")),
            aws_port=int(env.get("AWS_PORT", "4566")),
            vnpay_tmn_code=env.get("VNPAY_TMN_CODE") or DEV_VNPAY_TMN_CODE,
            vnpay_hash_secret=env.get("VNPAY_HASH_SECRET") or DEV_VNPAY_HASH_SECRET,
            officials_jwks=env.get("OFFICIALS_JWKS") or dev_jwks(),
            officials_issuer=env.get("OFFICIALS_ISSUER") or DEFAULT_ISSUER,
            officials_audience=env.get("OFFICIALS_AUDIENCE") or DEFAULT_AUDIENCE,
            retry_delay=int(env.get("LOCAL_RETRY_DELAY", "1")),
            pollers_per_queue=int(env.get("LOCAL_POLLERS_PER_QUEUE", "2")),
            seed=env.get("LOCAL_SEED", "1") != "0",
            attach=env.get("LOCAL_AWS_ATTACH", "0") == "1",
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://{self.host}:{self.aws_port}"


@dataclass
class LocalCloud:
    options: LocalOptions
    faults: FaultPlan = field(default_factory=FaultPlan)
    config: sls.ServerlessConfig | None = None
    provisioned: Provisioned | None = None
    handlers: dict[str, Any] = field(default_factory=dict)
    sources: list[Any] = field(default_factory=list)
    scheduler: Scheduler | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    seed_report: Any = None
    _moto: Any = None
    _synchronous: bool = False

    def pump(self, rounds: int = 50) -> int:
        """Deliver everything pending, synchronously (integration tests): stream, then queues, until quiet."""
        if not self.sources:
            self._synchronous = True
            self.load_functions()
            self.build_sources()
        delivered = 0
        for _ in range(rounds):
            moved = sum(source.poll_once() for source in self.sources)
            delivered += moved
            if not moved:
                return delivered
        raise RuntimeError("events kept flowing after many rounds")

    # -- start-up ----------------------------------------------------------------------------------

    def start_aws(self) -> None:
        """The embedded AWS in a child process (or one already running, with LOCAL_AWS_ENDPOINT)."""
        from infra import aws as embedded

        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.options.aws_endpoint,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
            }
        )
        if self.options.attach:
            _prepare()
        else:
            self._moto = embedded.spawn(self.options.host, self.options.aws_port, meanwhile=_prepare)

    def provision(self) -> None:
        self.config = sls.load(
            stage="local",
            region=REGION,
            env={**os.environ, "PORTAL_URL": self.options.base_url, "API_URL": self.options.base_url},
        )
        self.provisioned = provision(self.config)
        os.environ.update(self.function_environment())

    def function_environment(self) -> dict[str, str]:
        """The environment serverless.yml gives the functions, resolved against the local resources.

        All functions share this process, so variables they declare must agree; only the Powertools
        service name differs, and the local cloud names itself instead.
        """
        assert self.config and self.provisioned
        merged: dict[str, str] = {}
        declared = [self.config.provider.get("environment", {})] + [
            f.get("environment", {}) for f in self.config.functions.values()
        ]
        for block in declared:
            for name, value in resolve(block, self.provisioned).items():
                if name == "POWERTOOLS_SERVICE_NAME":
                    continue
                if name in merged and merged[name] != str(value):
                    raise ValueError(f"functions disagree on {name}: {merged[name]!r} != {value!r}")
                merged[name] = str(value)
        from services.core.settings import DEV_CURSOR_SECRET, DEV_LOOKUP_CHECK_KEY

        o = self.options
        merged.update(
            {
                "STAGE": "local",
                "POWERTOOLS_SERVICE_NAME": "dichvucong-local",
                "PORTAL_URL": o.base_url,
                "API_URL": o.base_url,
                "OFFICIALS_JWKS": o.officials_jwks,
                "OFFICIALS_JWKS_URL": "",
                "OFFICIALS_ISSUER": o.officials_issuer,
                "OFFICIALS_AUDIENCE": o.officials_audience,
                "VNPAY_TMN_CODE": o.vnpay_tmn_code,
                "VNPAY_HASH_SECRET": o.vnpay_hash_secret,
                "VNPAY_HASH_SECRET_PARAM": "",
                "CURSOR_SECRET": DEV_CURSOR_SECRET,  # on AWS CloudFormation resolves it from SSM
                "LOOKUP_CHECK_KEY": DEV_LOOKUP_CHECK_KEY,  # likewise
                "VNPAY_PAY_URL": f"{o.base_url}/sim/vnpay/paymentv2/vpcpay.html",
                "VNPAY_API_URL": f"{o.base_url}/sim/vnpay/merchant_webapi/api/transaction",
                "NATIONAL_PORTAL_URL": f"{o.base_url}/sim/national/api/dossiers",
                "POWERTOOLS_METRICS_NAMESPACE": "DichVuCong",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            }
        )
        return merged

    def seed(self) -> None:
        from infra.seeding import seed_catalogue

        self.seed_report = seed_catalogue(
            os.environ["TABLE_NAME"], os.environ["FORMS_BUCKET"], background=True
        )

    def load_functions(self) -> dict[str, Any]:
        """Import every handler named in serverless.yml (after the environment is in place)."""
        assert self.config
        for name, spec in self.config.functions.items():
            module, attribute = sls.handler_target(spec["handler"])
            loaded = importlib.import_module(module)
            self.handlers[name] = (loaded, getattr(loaded, attribute))
        return self.handlers

    def http_routes(self) -> dict[str, Any]:
        """Path prefix -> ASGI app, from each function's httpApi events (the app behind its handler)."""
        assert self.config
        routes: dict[str, Any] = {}
        for name, spec in self.config.functions.items():
            paths = [e["httpApi"]["path"] for e in spec.get("events", []) if "httpApi" in e]
            if not paths:
                continue
            prefix = os.path.commonpath(paths)
            if prefix in ("", "/"):
                raise ValueError(f"{name}: its HTTP routes share no prefix")
            routes[prefix] = self.handlers[name][0].app
        return routes

    def start_sources(self) -> None:
        self.build_sources()
        for source in self.sources:
            source.start()
        assert self.scheduler
        self.scheduler.start()

    def build_sources(self) -> None:
        """Every event source of serverless.yml, wired to its handler (not yet polling)."""
        assert self.config and self.provisioned
        self.scheduler = Scheduler(self.faults.invoke, REGION)
        for name, spec in self.config.functions.items():
            handler = self.handlers[name][1]
            timeout = int(spec.get("timeout", self.config.provider.get("timeout", 10)))
            for event in spec.get("events", []):
                if "sqs" in event:
                    self._sqs_source(name, handler, event["sqs"], timeout)
                elif "stream" in event:
                    self._stream_source(name, handler, event["stream"], timeout)
                elif "schedule" in event:
                    schedule = event["schedule"]
                    rate = schedule["rate"] if isinstance(schedule, dict) else schedule
                    self.scheduler.add(name, handler, rate[0] if isinstance(rate, list) else rate)

    def _sqs_source(self, name: str, handler: Any, spec: Any, timeout: int) -> None:
        assert self.provisioned
        spec = spec if isinstance(spec, dict) else {"arn": spec}
        arn = resolve(spec["arn"], self.provisioned)
        logical = next(k for k, v in self.provisioned.resources.items() if v.get("Arn") == arn)
        for _ in range(self.options.pollers_per_queue if not self._synchronous else 1):
            self.sources.append(
                SqsSource(
                    name,
                    handler,
                    self.provisioned.ref(logical),
                    arn,
                    REGION,
                    batch_size=int(spec.get("batchSize", 10)),
                    timeout=timeout,
                    retry_delay=self.options.retry_delay,
                    invoker=self.faults.invoke,
                )
            )

    def _stream_source(self, name: str, handler: Any, spec: dict[str, Any], timeout: int) -> None:
        assert self.provisioned
        on_failure = spec.get("destinations", {}).get("onFailure", {}).get("arn")
        failure_url = None
        if on_failure:
            arn = resolve(on_failure, self.provisioned)
            failure_url = next(v["Ref"] for v in self.provisioned.resources.values() if v.get("Arn") == arn)
        self.sources.append(
            StreamSource(
                name,
                handler,
                resolve(spec["arn"], self.provisioned),
                REGION,
                batch_size=int(spec.get("batchSize", 100)),
                filters=spec.get("filterPatterns"),
                max_retries=int(spec.get("maximumRetryAttempts", 10)),
                on_failure_queue_url=failure_url,
                timeout=timeout,
                invoker=self.faults.invoke,
            )
        )

    def health(self) -> dict[str, Any] | None:
        """None while starting; `starting` with the seed's progress while form templates are still
        being stored (a listed form would answer 404 until then); `ok` when everything is there."""
        if not self.ready.is_set():
            return None
        report = self.seed_report
        if report is not None and not report.templates_done.is_set():
            return {
                "status": "starting",
                "seeding": {"form_templates": report.templates_uploaded, "of": report.templates},
            }
        return {"status": "ok", "aws_endpoint": self.options.aws_endpoint}

    def build_app(self) -> Any:
        from infra.devapi import create_dev_app
        from infra.gateway import Gateway, PortalFiles
        from infra.signin import encode, origin

        routes = self.http_routes()
        routes["/local"] = create_dev_app(self)
        routes.update(self.simulators())
        config = self.portal_config()
        from infra.portal_build import build as build_portal

        portal = PortalFiles(
            build_portal(),
            self.options.aws_endpoint,
            idp_origin=origin(config["officials"]["token_url"]),
            generated={"/config.json": encode(config)},
        )
        # the public lookup's per-client limit, with the numbers of the WAF rule that applies it on AWS
        from infra.edge import RateLimiter, public_lookup_limit

        assert self.config
        return RateLimiter(Gateway(routes, portal, self.health), public_lookup_limit(self.config))

    def portal_config(self) -> dict[str, Any]:
        """The portal's /config.json: officials sign in at the identity provider simulator."""
        from infra.signin import local_config

        o = self.options
        return local_config(o.base_url, issuer=o.officials_issuer, client_id=o.officials_audience)

    def identity_provider(self) -> Any:
        """The officials' OpenID Connect provider, as Cognito would be: the console is its one client."""
        from infra.signin import SIGN_IN_PAGE
        from infra.sim.idp import Client, IdpConfig, create_app, load_officials

        o = self.options
        page = o.base_url + SIGN_IN_PAGE
        return create_app(
            IdpConfig(
                issuer=o.officials_issuer,
                base_url=f"{o.base_url}/sim/idp",
                clients=(Client(o.officials_audience, redirect_uris=(page,), logout_uris=(page,)),),
                officials=load_officials(),
            )
        )

    def simulators(self) -> dict[str, Any]:
        """The officials' identity provider, the payment gateway's side of VNPay and the national portal's
        receiver."""
        apps: dict[str, Any] = {"/sim/idp": self.identity_provider()}
        try:
            from infra.sim.vnpay import SimulatorConfig, Terminal, create_app
        except ImportError:
            return apps
        o = self.options
        terminal = Terminal(o.vnpay_tmn_code, o.vnpay_hash_secret, f"{o.base_url}/api/payment/vnpay/ipn")
        apps["/sim/vnpay"] = create_app(SimulatorConfig(terminals={o.vnpay_tmn_code: terminal}))
        try:
            from infra.sim.national import create_app as national_app
        except ImportError:
            return apps
        apps["/sim/national"] = national_app()
        return apps

    def start(self) -> Any:
        """Everything but the HTTP server; returns the ASGI app to serve."""
        started = time.perf_counter()
        self.start_aws()
        self.provision()
        if self.options.seed:
            self.seed()
        self.load_functions()
        self.start_sources()
        app = self.build_app()
        self.ready.set()
        log.info("local cloud started in %.1f s", time.perf_counter() - started)
        return app

    def stop(self) -> None:
        for source in self.sources:
            source.stop()
        if self.scheduler:
            self.scheduler.stop()
        for source in self.sources:
            if source.is_alive():
                source.join(timeout=3)
        if self._moto is not None:
            self._moto.terminate()
            try:
                self._moto.wait(timeout=5)
            except Exception:
                self._moto.kill()


def _prepare() -> None:
    """What the functions import, and the AWS clients they use, loaded while the emulator starts."""
    import aws_lambda_powertools.utilities.batch  # noqa: F401
    import fastapi  # noqa: F401
    import mangum  # noqa: F401

    from services.core.dal import aws

    aws.reset()
    for service in ("dynamodb", "s3", "sqs", "dynamodbstreams", "sns", "cloudwatch"):
        aws.client(service)


def quiet_third_parties(level: str | None) -> None:
    """One line per thing a person needs: the local cloud's own INFO lines, everyone else's warnings.
    `LOG_LEVEL=INFO` (or DEBUG) brings botocore's and the others' chatter back."""
    import warnings

    chosen = getattr(logging, (level or "WARNING").upper(), logging.WARNING)
    logging.basicConfig(level=chosen, format="%(message)s", stream=sys.stderr)
    log.setLevel(min(chosen, logging.INFO))
    logging.getLogger("werkzeug").setLevel(max(chosen, logging.ERROR))
    if chosen > logging.INFO:
        # Powertools warns on every invocation that published no metric; the local cloud publishes none
        warnings.filterwarnings("ignore", message="No application metrics to publish")


def serve(options: LocalOptions | None = None) -> None:
    import uvicorn

    options = options or LocalOptions.from_env()
    quiet_third_parties(os.environ.get("LOG_LEVEL"))
    cloud = LocalCloud(options)
    started = time.perf_counter()
    app = cloud.start()
    report = cloud.seed_report
    print(
        f"Cổng Dịch vụ công (local) on {options.base_url}  ·  embedded AWS on {options.aws_endpoint}",
        flush=True,
    )
    if report:
        print(
            f"  catalogue: {report.imported + report.updated} procedures, {report.templates} form templates "
            f"({report.seconds} s)",
            flush=True,
        )

    def announce_ready() -> None:
        # "ready" only once every listed form template can be downloaded (the seed finishes them on a
        # thread while the server already answers, and /healthz says `starting` until then)
        if report:
            report.templates_done.wait()
        print(
            f"  ready in {time.perf_counter() - started:.1f} s  ·  portal {options.base_url}/  ·  "
            f"console {options.base_url}/can-bo/  ·  Ctrl-C stops",
            flush=True,
        )

    threading.Thread(target=announce_ready, name="ready", daemon=True).start()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=options.host,
            port=options.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=3,
        )
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn shut down gracefully, then re-raised Ctrl-C: that is the normal way out
    finally:
        cloud.stop()
        print("stopped", flush=True)
