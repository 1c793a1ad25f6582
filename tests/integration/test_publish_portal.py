"""`python -m infra publish-portal`: the built portal to the stage's bucket, against moto (in process): the
bucket and distribution come from the stack's outputs; every file gets its Content-Type and the local
gateway's Cache-Control; /config.json is written from the stack's Cognito outputs; objects the portal no
longer has are deleted; CloudFront is asked to invalidate."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.__main__ import main
from infra.gateway import portal_cache_control
from infra.publish import PublishError, publish

REGION = "ap-southeast-1"
FILES = {
    "index.html": "<!doctype html><title>Cổng Dịch vụ công</title>",
    "404.html": "<!doctype html><title>Không tìm thấy trang</title>",
    "can-bo/index.html": "<!doctype html><title>Một cửa điện tử</title>",
    "css/site.css": "body{margin:0}",
    "js/pages/search.js": "export const x = 1;",
    "img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "vendor/lib.js": "export default {};",
    "README.md": "notes for developers",
    ".DS_Store": "junk",
    "config.json": '{"stage": "local"}',
}
PUBLISHED = {k for k in FILES if k not in ("README.md", ".DS_Store")}
SIGN_IN_DOMAIN = "https://dichvucong-{stage}-123456789012.auth.ap-southeast-1.amazoncognito.com"
ISSUER = "https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_AbCdEf123"


@pytest.fixture
def aws() -> Iterator[None]:
    saved = {k: os.environ.pop(k) for k in ("AWS_ENDPOINT_URL",) if k in os.environ}
    with mock_aws():
        yield
    os.environ.update(saved)


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        path = tmp_path / "portal" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "portal"


def _deployed_stage(stage: str, leave_out: str = "") -> tuple[str, str]:
    """What `osls deploy` leaves behind, reduced to what publish-portal reads: a stack whose outputs name
    the portal bucket and the distribution."""
    bucket = f"dichvucong-{stage}-portalbucket-{uuid.uuid4().hex[:8]}"
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": bucket,
            "Comment": "portal",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "portal",
                        "DomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "portal",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]["Id"]
    template = {
        "Resources": {"PortalBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}},
        "Outputs": {
            "PortalBucketName": {"Value": {"Ref": "PortalBucket"}},
            "PortalDistributionId": {"Value": distribution},
            "OfficialsSignInDomain": {"Value": SIGN_IN_DOMAIN.format(stage=stage)},
            "OfficialsIssuer": {"Value": ISSUER},
            "OfficialsUserPoolClientId": {"Value": "4tq2example0client0id0abc"},
            "OfficialsCallbackUrl": {"Value": "https://dxxxxxxxx.cloudfront.net/can-bo/dang-nhap.html"},
        },
    }
    template["Outputs"].pop(leave_out, None)
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=f"dichvucong-{stage}", TemplateBody=json.dumps(template)
    )
    return bucket, distribution


def _objects(bucket: str) -> dict[str, dict[str, Any]]:
    s3 = boto3.client("s3", region_name=REGION)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key) for key in keys}


def test_every_file_goes_up_with_its_type_and_cache_policy_and_stale_objects_go(aws, portal):
    bucket, distribution = _deployed_stage("pubtest")
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"the old page", ContentType="text/html")
    s3.put_object(Bucket=bucket, Key="js/pages/removed.js", Body=b"gone", ContentType="text/javascript")

    published = publish("pubtest", portal, region=REGION, log=lambda _: None)

    objects = _objects(bucket)
    assert set(objects) == PUBLISHED
    assert published.deleted == ["js/pages/removed.js"]
    types = {key: o["ContentType"] for key, o in objects.items()}
    assert types == {
        "index.html": "text/html; charset=utf-8",
        "404.html": "text/html; charset=utf-8",
        "can-bo/index.html": "text/html; charset=utf-8",
        "css/site.css": "text/css; charset=utf-8",
        "js/pages/search.js": "text/javascript; charset=utf-8",
        "vendor/lib.js": "text/javascript; charset=utf-8",
        "img/logo.svg": "image/svg+xml",
        "config.json": "application/json",
    }
    for key, found in objects.items():
        assert found["CacheControl"] == portal_cache_control("/" + key)  # what the local gateway sends
        if key != "config.json":
            assert found["Body"].read() == FILES[key].encode()
    assert objects["index.html"]["CacheControl"] == "no-cache"
    assert objects["config.json"]["CacheControl"] == "no-cache"
    assert objects["css/site.css"]["CacheControl"] == "public, max-age=300"
    # pages go up last, so no page is ever live before the files it loads
    pages = [i for i, key in enumerate(published.uploaded) if key.endswith(".html")]
    assert pages == list(range(len(published.uploaded) - len(pages), len(published.uploaded)))

    cloudfront = boto3.client("cloudfront", region_name=REGION)
    invalidations = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]["Items"]
    assert [i["Id"] for i in invalidations] == [published.invalidation]
    batch = cloudfront.get_invalidation(DistributionId=distribution, Id=published.invalidation)
    assert batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]


def test_the_consoles_sign_in_settings_come_from_the_stacks_cognito_outputs(aws, portal):
    # given a deployed stage, and a portal directory holding a developer's own config.json
    bucket, _ = _deployed_stage("pubcfg")

    # when the portal is published
    published = publish("pubcfg", portal, region=REGION, log=lambda _: None)

    # then /config.json is the stage's: Cognito's endpoints on the pool's domain, the app client, the
    # console's sign-in page as redirect URI, never the directory's file
    config = json.loads(_objects(bucket)["config.json"]["Body"].read())
    domain = SIGN_IN_DOMAIN.format(stage="pubcfg")
    assert config == {
        "stage": "pubcfg",
        "officials": {
            "issuer": ISSUER,
            "authorize_url": f"{domain}/oauth2/authorize",
            "token_url": f"{domain}/oauth2/token",
            "logout_url": f"{domain}/logout",
            "client_id": "4tq2example0client0id0abc",
            "redirect_uri": "https://dxxxxxxxx.cloudfront.net/can-bo/dang-nhap.html",
            "logout_redirect_uri": "https://dxxxxxxxx.cloudfront.net/can-bo/dang-nhap.html",
            "scopes": "openid email profile",
            "developer_tools": False,
        },
    }
    assert published.config == config
    assert published.uploaded.index("config.json") < published.uploaded.index("index.html")


def test_a_stack_without_the_sign_in_outputs_is_not_published(aws, portal):
    # given a stage deployed before officials signed in on Cognito's domain
    _deployed_stage("pubold", leave_out="OfficialsSignInDomain")

    with pytest.raises(PublishError, match="no OfficialsSignInDomain output"):
        publish("pubold", portal, region=REGION)


def test_a_dry_run_changes_nothing(aws, portal):
    bucket, distribution = _deployed_stage("pubdry")
    boto3.client("s3", region_name=REGION).put_object(Bucket=bucket, Key="old.html", Body=b"x")

    published = publish("pubdry", portal, dry_run=True, region=REGION, log=lambda _: None)

    assert published.deleted == ["old.html"] and "index.html" in published.uploaded
    assert set(_objects(bucket)) == {"old.html"}
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    assert not cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items")


def test_nothing_is_published_without_a_built_portal_or_a_deployed_stage(aws, portal, tmp_path):
    with pytest.raises(PublishError, match="no stack dichvucong-nowhere"):
        publish("nowhere", portal, region=REGION)
    _deployed_stage("pubempty")
    with pytest.raises(PublishError, match="build the portal first"):
        publish("pubempty", tmp_path / "empty", region=REGION)


def test_the_command_line(aws, portal, capsys):
    bucket, _ = _deployed_stage("pubcli")
    args = ["publish-portal", "--stage", "pubcli", "--region", REGION, "--directory", str(portal)]
    assert main(args) == 0
    assert "index.html" in _objects(bucket)
    assert "invalidation" in capsys.readouterr().out
    assert main(["publish-portal", "--stage", "pubnone", "--region", REGION, "--directory", str(portal)]) == 1
    assert "no stack dichvucong-pubnone" in capsys.readouterr().err
