"""The packaged CloudFormation (`npx osls package`, offline) deployed into moto's CloudFormation: every
function, table, queue with its DLQ, bucket, event source mapping and schedule comes up, configured as
serverless.yml says; cfn-lint finds no error; every role is least privilege; the portal is served by
CloudFront from a bucket only the distribution reads, with the local gateway's headers, and /api/* goes
to the HTTP API (moto's CloudFormation skips the CloudFront types: their template is checked)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import sls
from infra.gateway import PORTAL_CSP, PORTAL_HEADERS
from infra.package import ARTIFACT, osls_package

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    if not ARTIFACT.exists():
        # the artifact's contents do not change the template; a small one keeps this test offline-fast
        ARTIFACT.parent.mkdir(exist_ok=True)
        with zipfile.ZipFile(ARTIFACT, "w") as archive:
            for path in (ROOT / "services").rglob("*.py"):
                archive.write(path, path.relative_to(ROOT))
    return dict(json.loads(osls_package("prod").read_text()))


@pytest.fixture(scope="module")
def stack(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    saved = {k: os.environ.pop(k) for k in ("AWS_ENDPOINT_URL",) if k in os.environ}
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="ap-southeast-1")
        cloudformation.create_stack(
            StackName="dichvucong-prod",
            TemplateBody=json.dumps(template),
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        )
        resources = cloudformation.list_stack_resources(StackName="dichvucong-prod")["StackResourceSummaries"]
        yield {r["LogicalResourceId"]: r for r in resources if r.get("ResourceType")}
    os.environ.update(saved)


def _by_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_every_function_comes_up_on_arm64_python312_with_tracing_and_its_own_role(stack, template):
    config = sls.load(stage="prod")
    functions = _by_type(template, "AWS::Lambda::Function")
    assert len(functions) == len(config.functions)
    lam = boto3.client("lambda", region_name="ap-southeast-1")
    roles = set()
    for logical, spec in functions.items():
        assert stack[logical]["ResourceStatus"] == "CREATE_COMPLETE"
        deployed = lam.get_function(FunctionName=stack[logical]["PhysicalResourceId"])["Configuration"]
        assert deployed["Runtime"] == "python3.12" and deployed["Handler"] == spec["Properties"]["Handler"]
        # moto records every function as x86_64; the template is what AWS deploys
        assert spec["Properties"]["Architectures"] == ["arm64"]
        assert spec["Properties"]["TracingConfig"] == {"Mode": "Active"}
        assert 128 <= deployed["MemorySize"] <= 1024 and deployed["Timeout"] <= 600
        roles.add(json.dumps(spec["Properties"]["Role"]))
    # one role per function, except the two scheduled payment jobs that do the same work
    assert len(roles) == len(functions) - 1


def test_the_table_and_the_buckets_come_up(stack):
    dynamodb = boto3.client("dynamodb", region_name="ap-southeast-1")
    table = dynamodb.describe_table(TableName=stack["Table"]["PhysicalResourceId"])["Table"]
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3"}
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    s3 = boto3.client("s3", region_name="ap-southeast-1")
    for logical in ("FormsBucket", "UploadsBucket", "ResultsBucket", "PortalBucket"):
        assert (
            s3.head_bucket(Bucket=stack[logical]["PhysicalResourceId"])["ResponseMetadata"]["HTTPStatusCode"]
            == 200
        )


def test_every_queue_comes_up_with_its_dead_letter_queue_and_enough_visibility(stack, template):
    sqs = boto3.client("sqs", region_name="ap-southeast-1")
    queues = _by_type(template, "AWS::SQS::Queue")
    functions = _by_type(template, "AWS::Lambda::Function")
    mappings = _by_type(template, "AWS::Lambda::EventSourceMapping")
    for logical in queues:
        url = stack[logical]["PhysicalResourceId"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        if not logical.endswith("DLQ"):
            assert "RedrivePolicy" in attributes, logical
    for mapping in mappings.values():
        props = mapping["Properties"]
        if "Fn::GetAtt" not in props["EventSourceArn"] or not props["EventSourceArn"]["Fn::GetAtt"][
            0
        ].endswith("Queue"):
            continue
        queue = props["EventSourceArn"]["Fn::GetAtt"][0]
        function = props["FunctionName"]["Fn::GetAtt"][0]
        timeout = functions[function]["Properties"]["Timeout"]
        visibility = int(queues[queue]["Properties"]["VisibilityTimeout"])
        assert visibility >= 6 * timeout, (queue, visibility, timeout)  # AWS's guidance for Lambda consumers
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_event_source_mappings_and_schedules_come_up(stack, template):
    lam = boto3.client("lambda", region_name="ap-southeast-1")
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    # seven queues and the table's stream
    assert len(mappings) == len(_by_type(template, "AWS::Lambda::EventSourceMapping")) == 8
    events = boto3.client("events", region_name="ap-southeast-1")
    rules = events.list_rules()["Rules"]
    expressions = sorted(r["ScheduleExpression"] for r in rules)
    assert expressions == ["cron(0 18 * * ? *)", "rate(10 minutes)", "rate(15 minutes)"]
    for rule in rules:
        assert events.list_targets_by_rule(Rule=rule["Name"])["Targets"]


def test_every_dead_letter_queue_has_an_alarm_and_every_log_group_a_retention(template):
    alarmed = {
        a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in _by_type(template, "AWS::CloudWatch::Alarm").values()
    }
    dead_letters = {k for k in _by_type(template, "AWS::SQS::Queue") if k.endswith("DLQ")}
    assert dead_letters == alarmed
    for group in _by_type(template, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == 90


def test_every_route_is_throttled(template):
    stage = _by_type(template, "AWS::ApiGatewayV2::Stage")["HttpApiStage"]["Properties"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    routes = {r["Properties"]["RouteKey"] for r in _by_type(template, "AWS::ApiGatewayV2::Route").values()}
    assert set(stage["RouteSettings"]) <= routes  # overrides name real routes


def test_roles_are_least_privilege(template):
    for logical, role in _by_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                resources = (
                    statement["Resource"]
                    if isinstance(statement["Resource"], list)
                    else [statement["Resource"]]
                )
                wildcard_action = any(a == "*" or a.endswith(":*") for a in actions)
                wildcard_resource = "*" in resources
                assert not (wildcard_action and wildcard_resource), (logical, statement)
                assert not wildcard_action, (logical, actions)


def test_cfn_lint_finds_no_error(template):
    path = ROOT / ".serverless" / "cloudformation-template-update-stack.json"
    linter = Path(sys.executable).parent / "cfn-lint"
    answer = subprocess.run([str(linter), "--format", "parseable", str(path)], capture_output=True, text=True)
    # parseable lines are file:line:column:line:column:RULE:message; rules starting with E are errors
    errors = [
        line
        for line in answer.stdout.splitlines()
        if line.split(":")[5:6] and line.split(":")[5].startswith("E")
    ]
    assert answer.returncode in (0, 4) and errors == [], answer.stdout[-2000:]  # 4: warnings only


# -- the portal on CloudFront --------------------------------------------------------------------------

ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # managed origin request policy


def _distribution(template: dict[str, Any]) -> dict[str, Any]:
    return dict(template["Resources"]["PortalDistribution"]["Properties"]["DistributionConfig"])


def test_the_distribution_serves_the_portal_bucket_through_its_origin_access_control(template):
    config = _distribution(template)
    origins = {o["Id"]: o for o in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    portal = origins[default["TargetOriginId"]]
    assert portal["DomainName"] == {"Fn::GetAtt": ["PortalBucket", "RegionalDomainName"]}
    assert portal["OriginAccessControlId"] == {"Ref": "PortalOriginAccessControl"}
    assert portal["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not the legacy identity
    control = template["Resources"]["PortalOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert control["OriginAccessControlOriginType"] == "s3" and control["SigningBehavior"] == "always"
    assert config["DefaultRootObject"] == "index.html"
    assert {"ErrorCode": 404, "ResponseCode": 404, "ResponsePagePath": "/404.html"}.items() <= next(
        e for e in config["CustomErrorResponses"] if e["ErrorCode"] == 404
    ).items()
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["ResponseHeadersPolicyId"] == {"Ref": "PortalHeadersPolicy"}
    # /can-bo/ is /can-bo/index.html, as the local gateway's static files answer
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    function = template["Resources"]["PortalIndexFunction"]["Properties"]
    assert (
        function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
        and "index.html" in function["FunctionCode"]
    )
    assert config["HttpVersion"] == "http2and3" and config["PriceClass"] == "PriceClass_200"
    # the custom domain only when PORTAL_DOMAIN was set at package time
    for key in ("Aliases", "ViewerCertificate"):
        condition, _, otherwise = config[key]["Fn::If"]
        assert condition == "HasPortalDomain" and otherwise == {"Ref": "AWS::NoValue"}
    assert template["Parameters"]["PortalDomain"]["Default"] == ""


def test_api_calls_go_to_the_http_api_under_the_same_origin(template):
    config = _distribution(template)
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    origin = next(o for o in config["Origins"] if o["Id"] == api["TargetOriginId"])
    assert origin["DomainName"] == {"Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"}
    assert template["Resources"]["HttpApi"]["Type"] == "AWS::ApiGatewayV2::Api"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert api["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    # cached only as the API's Cache-Control says; the token reaches the API and keys the cache; Host
    # (which API Gateway's default endpoint would refuse) is not forwarded
    policy = template["Resources"][api["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert policy["MinTTL"] == 0 and policy["DefaultTTL"] == 0 and policy["MaxTTL"] >= 86400
    keyed = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    headers = {h.lower() for h in keyed["HeadersConfig"]["Headers"]}
    assert "authorization" in headers and "host" not in headers
    assert keyed["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    # every route of the HTTP API is under the behaviour, so the portal calls them all by relative URLs
    for route in _by_type(template, "AWS::ApiGatewayV2::Route").values():
        assert route["Properties"]["RouteKey"].split(" ", 1)[1].startswith("/api/")


def test_only_the_distribution_reads_the_portal_bucket(template):
    bucket = template["Resources"]["PortalBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    policy = template["Resources"]["PortalBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "PortalBucket"}
    distribution = {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${PortalDistribution}"
    }
    allowed = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allowed
    for statement in allowed:
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution}}
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert set(actions) <= {"s3:GetObject", "s3:ListBucket"}


def _cloudfront_headers(config: dict[str, Any]) -> dict[str, str]:
    """The headers a response-headers policy adds, as the browser receives them (CSP and HSTS aside)."""
    security = config["SecurityHeadersConfig"]
    headers = {
        "X-Content-Type-Options": "nosniff" if "ContentTypeOptions" in security else None,
        "X-Frame-Options": security.get("FrameOptions", {}).get("FrameOption"),
        "Referrer-Policy": security.get("ReferrerPolicy", {}).get("ReferrerPolicy"),
    }
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return {k: v for k, v in headers.items() if v is not None}


def test_the_portal_headers_are_the_local_gateways_plus_hsts(template):
    config = template["Resources"]["PortalHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    assert _cloudfront_headers(config) == PORTAL_HEADERS
    csp = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    text, variables = csp["ContentSecurityPolicy"]["Fn::Sub"]
    # the very string the local gateway sends, object storage being the stage's two buckets and the
    # identity provider the officials' Cognito domain
    assert text == PORTAL_CSP.replace("{aws}", "${aws}").replace("{idp}", "${idp}")
    assert variables["aws"] == {
        "Fn::Sub": "https://${UploadsBucket}.s3.${AWS::Region}.amazonaws.com "
        "https://${ResultsBucket}.s3.${AWS::Region}.amazonaws.com"
    }
    assert variables["idp"] == {
        "Fn::Sub": "https://${OfficialsUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"
    }
    security = config["SecurityHeadersConfig"]
    assert all(header["Override"] for header in security.values())
    assert all(item["Override"] for item in config["CustomHeadersConfig"]["Items"])
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_the_stack_tells_where_the_portal_is(template):
    outputs = template["Outputs"]
    assert outputs["PortalBucketName"]["Value"] == {"Ref": "PortalBucket"}
    assert outputs["PortalDistributionId"]["Value"] == {"Ref": "PortalDistribution"}
    assert outputs["PortalUrl"]["Value"]["Fn::If"][2] == {
        "Fn::Sub": "https://${PortalDistribution.DomainName}"
    }


# -- officials sign in on Cognito's hosted pages ----------------------------------------------------------

SIGN_IN_PAGE = {
    "Fn::If": [
        "HasPortalDomain",
        {"Fn::Sub": "https://${PortalDomain}/can-bo/dang-nhap.html"},
        {"Fn::Sub": "https://${PortalDistribution.DomainName}/can-bo/dang-nhap.html"},
    ]
}


def test_the_console_is_a_public_client_of_the_code_flow_returning_to_its_sign_in_page(template):
    client = template["Resources"]["OfficialsUserPoolClient"]["Properties"]
    # it runs in the browser: no secret, so PKCE (the console's S256 challenge) protects the code
    assert client["GenerateSecret"] is False
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid", "profile"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    # back to the console's sign-in page at the portal's real (HTTPS) address, as the PortalUrl output
    assert client["CallbackURLs"] == [SIGN_IN_PAGE] and client["LogoutURLs"] == [SIGN_IN_PAGE]
    assert template["Outputs"]["OfficialsCallbackUrl"]["Value"] == SIGN_IN_PAGE
    # the ID token the API reads lasts eight hours and carries the agency, which officials cannot change
    assert client["IdTokenValidity"] == 8 and client["TokenValidityUnits"] == {"IdToken": "hours"}
    assert "custom:agency" in client["ReadAttributes"]
    assert not any(a.startswith("custom:") for a in client["WriteAttributes"])


def test_the_pool_has_the_agency_attribute_and_the_role_groups(template):
    pool = template["Resources"]["OfficialsUserPool"]["Properties"]
    assert {"Name": "agency", "AttributeDataType": "String", "Mutable": True} in pool["Schema"]
    groups = {
        g["Properties"]["GroupName"] for g in _by_type(template, "AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {"receiver", "handler", "leader", "catalog_admin"}


def test_the_pool_has_a_domain_named_for_service_stage_and_account_unless_told_otherwise(template):
    (logical,) = _by_type(template, "AWS::Cognito::UserPoolDomain")
    domain = template["Resources"][logical]["Properties"]
    assert domain["UserPoolId"] == {"Ref": "OfficialsUserPool"}
    condition, chosen, derived = domain["Domain"]["Fn::If"]
    assert condition == "HasOfficialsDomainPrefix" and chosen == {"Ref": "OfficialsDomainPrefix"}
    assert derived == {"Fn::Sub": "dichvucong-prod-${AWS::AccountId}"}
    assert template["Parameters"]["OfficialsDomainPrefix"]["Default"] == ""
    # OFFICIALS_DOMAIN_PREFIX at package time becomes the parameter's default
    chosen_prefix = sls.load(stage="prod", env={"OFFICIALS_DOMAIN_PREFIX": "dvc-soctrang"})
    assert chosen_prefix.parameters["OfficialsDomainPrefix"]["Default"] == "dvc-soctrang"


def test_the_stack_tells_publish_portal_where_officials_sign_in(template):
    outputs = template["Outputs"]
    assert outputs["OfficialsSignInDomain"]["Value"] == {
        "Fn::Sub": "https://${OfficialsUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"
    }
    assert outputs["OfficialsIssuer"]["Value"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${OfficialsUserPool}"
    }
    assert outputs["OfficialsUserPoolClientId"]["Value"] == {"Ref": "OfficialsUserPoolClient"}
    # the issuer publish-portal gives the console is the one the functions and the authorizer verify
    environment = template["Resources"]["TrackingApiLambdaFunction"]["Properties"]["Environment"]["Variables"]
    assert environment["OFFICIALS_AUDIENCE"] == {"Ref": "OfficialsUserPoolClient"}
    assert environment["OFFICIALS_ISSUER"] == {
        "Fn::Join": [
            "",
            ["https://cognito-idp.", {"Ref": "AWS::Region"}, ".amazonaws.com/", {"Ref": "OfficialsUserPool"}],
        ]
    }
