"""`python -m infra publish-portal --stage S`: the built portal to the stage's bucket, behind CloudFront.

The portal is built first (infra/portal_build.py: `portal/` with its shared header and footer filled
in, into `build/portal/`); the local gateway serves the same directory. The stack
`dichvucong-{stage}` names the bucket and the distribution in its outputs (PortalBucketName,
PortalDistributionId), and where officials sign in (OfficialsSignInDomain, OfficialsIssuer,
OfficialsUserPoolClientId, OfficialsCallbackUrl). Then:

1. every file is uploaded with its Content-Type and the Cache-Control the local gateway sends
   (infra/gateway.py: pages and /config.json `no-cache`, other files five minutes: nothing is
   fingerprinted), with `/config.json`, the console's sign-in settings, written from the outputs
   (infra/signin.py); assets first and pages last, so no new page ever names a file that is not there yet;
2. objects the directory no longer has are deleted (the bucket keeps their old versions a month);
3. CloudFront is asked to invalidate `/*`, so the edges fetch the new files.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.gateway import portal_cache_control
from infra.signin import COGNITO_OUTPUTS, cognito_config, encode

ROOT = Path(__file__).resolve().parent.parent
PORTAL_DIR = ROOT / "build" / "portal"  # infra.portal_build's output
SERVICE = "dichvucong"
# the directory's own notes for developers are not part of the site; the stage's configuration is
# written from its stack, never taken from the directory
CONFIG = "config.json"
SKIPPED = {"README.md", CONFIG}
PORTAL_OUTPUTS = ("PortalBucketName", "PortalDistributionId")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
}


class PublishError(RuntimeError):
    """Nothing to publish, or nowhere to publish it."""


@dataclass
class Published:
    stage: str
    bucket: str
    distribution: str
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidation: str | None = None
    dry_run: bool = False
    config: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "would " if self.dry_run else ""
        out = [
            f"stage {self.stage}: bucket {self.bucket}, distribution {self.distribution}",
            f"  {verb}upload {len(self.uploaded)} files, {verb}delete {len(self.deleted)} stale objects",
        ]
        if self.config:
            officials = self.config["officials"]
            out.append(
                f"  officials sign in at {officials['authorize_url']} (client {officials['client_id']})"
            )
        out += [f"    - {key}" for key in self.deleted]
        if self.invalidation:
            out.append(
                f"  invalidation {self.invalidation} of /* requested (a few minutes to reach every edge)"
            )
        return out


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def site_files(directory: Path) -> dict[str, Path]:
    """Object key -> file, for every file of the built portal (hidden files and SKIPPED left out)."""
    if not (directory / "index.html").is_file():
        raise PublishError(f"{directory} has no index.html: build the portal first (make portal)")
    files: dict[str, Path] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if "__pycache__" in relative.parts or relative.as_posix() in SKIPPED:
            continue
        files[relative.as_posix()] = path
    return files


def stack_outputs(stage: str, cloudformation: Any) -> dict[str, str]:
    """The stage's portal bucket and distribution, and its officials' sign-in, from its stack's outputs."""
    stack = f"{SERVICE}-{stage}"
    try:
        found = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        raise PublishError(f"no stack {stack} here: deploy the stage first ({error})") from error
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found[0].get("Outputs", [])}
    missing = [name for name in PORTAL_OUTPUTS + COGNITO_OUTPUTS if not outputs.get(name)]
    if missing:
        raise PublishError(f"stack {stack} has no {', '.join(missing)} output: deploy this version first")
    return outputs


def _existing_keys(s3: Any, bucket: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            yield item["Key"]


def publish(
    stage: str,
    directory: Path = PORTAL_DIR,
    *,
    dry_run: bool = False,
    region: str | None = None,
    session: Any = None,
    log: Callable[[str], None] = print,
) -> Published:
    session = session or boto3.session.Session(region_name=region)
    files = site_files(directory)
    outputs = stack_outputs(stage, session.client("cloudformation"))
    bucket, distribution = outputs["PortalBucketName"], outputs["PortalDistributionId"]
    config = cognito_config(stage, outputs)
    generated = {CONFIG: (encode(config), "application/json")}
    s3 = session.client("s3")
    report = Published(stage, bucket, distribution, dry_run=dry_run, config=config)
    # assets before pages: a page published is a page whose files (and configuration) are already there
    order = sorted(set(files) | set(generated), key=lambda key: (key.endswith(".html"), key))
    stale = sorted(set(_existing_keys(s3, bucket)) - set(order))
    report.uploaded, report.deleted = order, stale
    if dry_run:
        return report
    for key in order:
        body, kind = (
            generated[key] if key in generated else (files[key].read_bytes(), content_type(files[key]))
        )
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=kind,
            CacheControl=portal_cache_control("/" + key),
        )
    log(f"uploaded {len(order)} files to s3://{bucket}")
    for start in range(0, len(stale), 1000):
        answer = s3.delete_objects(
            Bucket=bucket,
            Delete={"Objects": [{"Key": key} for key in stale[start : start + 1000]], "Quiet": True},
        )
        if answer.get("Errors"):
            raise PublishError(f"could not delete {answer['Errors'][:3]}")
    if stale:
        log(f"deleted {len(stale)} stale objects")
    invalidation = session.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"publish-portal-{stage}-{time.time_ns()}",
        },
    )
    report.invalidation = invalidation["Invalidation"]["Id"]
    return report
