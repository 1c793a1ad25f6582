"""Provisioning the embedded AWS from serverless.yml's `resources`, through boto3.

moto's CloudFormation silently drops a table's TTL and point-in-time recovery and a bucket's
notifications and CORS, so each resource type is created here with the calls that keep every property
the template declares. Types the local cloud does not need (IAM roles, the Cognito pool, its client,
groups and domain: locally the identity provider simulator, infra/sim/idp.py, signs officials' tokens
with the dev key; CloudFront and the portal bucket's policy: locally the gateway serves the
portal) are recorded with a placeholder id so references to them resolve. The template's Parameters
(their defaults), Conditions, `Fn::If` and `AWS::NoValue` are honoured; a resource whose Condition is
false is not created, as on AWS.
tests/integration/test_provisioning.py reads everything back and compares it with the template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.sls import ServerlessConfig
from services.core.dal import aws

ACCOUNT_ID = "123456789012"
NOT_EMULATED = {
    "AWS::IAM::Role",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::UserPoolDomain",  # locally officials sign in at the simulator under /sim/idp
    "AWS::Logs::LogGroup",
    # the portal's CDN: locally the gateway (infra/gateway.py) serves the portal with the same headers
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::Function",
    "AWS::S3::BucketPolicy",
    # the edge's rate rule: locally the gateway's limiter applies its numbers (infra/edge.py)
    "AWS::WAFv2::WebACL",
}
# Resources the framework generates from `functions` (not in `resources`) that the template refers to;
# locally the gateway plays them.
FRAMEWORK_GENERATED = ("HttpApi",)
CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()
"""What `{"Ref": "AWS::NoValue"}` resolves to: the property or list item it stands for is left out."""


class _Placeholder(dict[str, Any]):
    """A resource the local cloud does not create: every attribute has a stand-in, so references resolve."""

    def __init__(self, logical: str):
        super().__init__(Ref=f"local-{logical}", Arn=f"arn:aws:local:::{logical}")
        self.logical = logical

    def __missing__(self, attribute: str) -> str:
        return f"local-{self.logical}-{attribute}"


@dataclass
class Provisioned:
    """Logical id -> attributes (`Ref` and every GetAtt the template uses)."""

    region: str
    stack: str
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> value (the template's default)
    conditions: dict[str, Any] = field(default_factory=dict)  # name -> its definition
    absent: list[str] = field(default_factory=list)  # resources whose Condition is false
    _truth: dict[str, bool] = field(default_factory=dict, repr=False)  # evaluated conditions

    def ref(self, logical: str) -> Any:
        if logical not in self.resources and logical in self.parameters:
            return self.parameters[logical]
        return self.resources[logical]["Ref"]

    def att(self, logical: str, name: str) -> Any:
        return self.resources[logical][name]

    def condition(self, name: str) -> bool:
        if name not in self._truth:
            if name not in self.conditions:
                raise ValueError(f"the template has no condition {name}")
            self._truth[name] = False  # a condition that refers to itself ends here, false
            self._truth[name] = evaluate(self.conditions[name], self)
        return self._truth[name]


def provision(config: ServerlessConfig) -> Provisioned:
    template = config.resources
    done = Provisioned(
        region=config.region,
        stack=f"{config.service}-{config.stage}",
        parameters={name: spec.get("Default", "") for name, spec in config.parameters.items()},
        conditions=config.conditions,
    )
    for logical in FRAMEWORK_GENERATED:
        if logical not in template:
            done.resources[logical] = _Placeholder(logical)
    creating: set[str] = set()

    def ensure(logical: str) -> None:
        if logical in done.resources or logical in done.absent:
            return
        if logical in creating:
            raise ValueError(f"circular reference through {logical}")
        creating.add(logical)
        spec = template[logical]
        if "Condition" in spec and not done.condition(spec["Condition"]):
            done.absent.append(logical)
            creating.discard(logical)
            return
        for dependency in _dependencies(spec):
            if dependency in template:
                ensure(dependency)
        kind = spec["Type"]
        properties = resolve(spec.get("Properties", {}), done)
        if kind in NOT_EMULATED:
            done.resources[logical] = _Placeholder(logical)
            done.skipped.append(logical)
        else:
            create = _CREATORS.get(kind)
            if create is None:
                raise ValueError(f"the local cloud cannot provision {kind} ({logical})")
            done.resources[logical] = create(logical, properties, done)
        creating.discard(logical)

    for logical in template:
        ensure(logical)
    return done


def _dependencies(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
            elif key == "DependsOn":
                found.update([value] if isinstance(value, str) else value)
            found |= _dependencies(value)
    elif isinstance(node, list):
        for value in node:
            found |= _dependencies(value)
    return found


def resolve(node: Any, done: Provisioned) -> Any:
    """CloudFormation intrinsic functions, against what has been provisioned.

    `{"Ref": "AWS::NoValue"}` removes the property or list item it stands for; on its own it resolves to
    NO_VALUE."""
    if isinstance(node, list):
        return [item for item in (resolve(v, done) for v in node) if item is not NO_VALUE]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, value),) = node.items()
        if key == "Ref":
            if value == "AWS::NoValue":
                return NO_VALUE
            return _pseudo(value, done) if value.startswith("AWS::") else done.ref(value)
        if key == "Fn::If":
            name, when_true, when_false = value
            return resolve(when_true if done.condition(name) else when_false, done)
        if key in CONDITION_FUNCTIONS:
            return evaluate(node, done)
        if key == "Fn::GetAtt":
            logical, attribute = value if isinstance(value, list) else str(value).split(".", 1)
            return done.att(logical, attribute)
        if key == "Fn::Join":
            separator, parts = value
            return separator.join(str(resolve(p, done)) for p in parts)
        if key == "Fn::Sub":
            text, variables = value if isinstance(value, list) else (value, {})
            variables = {k: resolve(v, done) for k, v in variables.items()}
            return re.sub(r"\$\{([^}!]+)\}", lambda m: str(_sub_value(m.group(1), variables, done)), text)
        if key == "Fn::Select":
            index, items = value
            return resolve(items, done)[int(index)]
    resolved = {k: resolve(v, done) for k, v in node.items()}
    return {k: v for k, v in resolved.items() if v is not NO_VALUE}


def evaluate(node: Any, done: Provisioned) -> bool:
    """A condition: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `{"Condition": name}`, nested."""
    if isinstance(node, bool):
        return node
    if isinstance(node, str) and node.lower() in ("true", "false"):
        return node.lower() == "true"
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"not a condition: {node!r}")
    ((key, value),) = node.items()
    if key == "Condition":
        return done.condition(value)
    if key == "Fn::Equals":
        left, right = (resolve(v, done) for v in value)
        return str(left) == str(right)
    if key == "Fn::Not":
        (inner,) = value
        return not evaluate(inner, done)
    if key == "Fn::And":
        return all(evaluate(v, done) for v in value)
    if key == "Fn::Or":
        return any(evaluate(v, done) for v in value)
    raise ValueError(f"not a condition function: {key}")


def _sub_value(name: str, variables: dict[str, Any], done: Provisioned) -> Any:
    if name in variables:
        return variables[name]
    if name.startswith("AWS::"):
        return _pseudo(name, done)
    if "." in name:
        logical, attribute = name.split(".", 1)
        return done.att(logical, attribute)
    return done.ref(name)


def _pseudo(name: str, done: Provisioned) -> str:
    return {
        "AWS::Region": done.region,
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::Partition": "aws",
        "AWS::StackName": done.stack,
        "AWS::URLSuffix": "amazonaws.com",
    }[name]


# -- one creator per resource type -----------------------------------------------------------------


def _table(logical: str, p: dict[str, Any], done: Provisioned) -> dict[str, Any]:
    ddb = aws.dynamodb()
    kwargs: dict[str, Any] = {
        "TableName": p.get("TableName", f"{done.stack}-{logical}"),
        "AttributeDefinitions": p["AttributeDefinitions"],
        "KeySchema": p["KeySchema"],
        "BillingMode": p.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if p.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
    if p.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
    if p.get("SSESpecification"):
        kwargs["SSESpecification"] = {"Enabled": bool(p["SSESpecification"].get("SSEEnabled"))}
    description = ddb.create_table(**kwargs)["TableDescription"]
    name = description["TableName"]
    ttl = p.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    pitr = p.get("PointInTimeRecoverySpecification")
    if pitr:
        ddb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": bool(pitr.get("PointInTimeRecoveryEnabled"))
            },
        )
    return {"Ref": name, "Arn": description["TableArn"], "StreamArn": description.get("LatestStreamArn")}


def _bucket(logical: str, p: dict[str, Any], done: Provisioned) -> dict[str, Any]:
    s3 = aws.s3()
    name = p.get("BucketName", f"{done.stack}-{logical}".lower())
    create: dict[str, Any] = {"Bucket": name}
    if done.region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": done.region}
    s3.create_bucket(**create)
    if "BucketEncryption" in p:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"]}
                    for r in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    if "PublicAccessBlockConfiguration" in p:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"]
        )
    if "VersioningConfiguration" in p:
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": p["VersioningConfiguration"]["Status"]}
        )
    if "CorsConfiguration" in p:
        s3.put_bucket_cors(
            Bucket=name,
            CORSConfiguration={
                "CORSRules": [
                    {_cors_key(k): v for k, v in rule.items()} for rule in p["CorsConfiguration"]["CorsRules"]
                ]
            },
        )
    if "LifecycleConfiguration" in p:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={
                "Rules": [_lifecycle_rule(r) for r in p["LifecycleConfiguration"]["Rules"]]
            },
        )
    if "NotificationConfiguration" in p:
        s3.put_bucket_notification_configuration(
            Bucket=name,
            NotificationConfiguration={
                "QueueConfigurations": [
                    _queue_notification(q)
                    for q in p["NotificationConfiguration"].get("QueueConfigurations", [])
                ]
            },
        )
    return {
        "Ref": name,
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{done.region}.amazonaws.com",
    }


def _cors_key(key: str) -> str:
    return {"MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders"}.get(key, key)


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"ID": rule.get("Id", "rule"), "Status": rule["Status"]}
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
    if rule.get("Prefix") is not None and tags:
        out["Filter"] = {"And": {"Prefix": rule["Prefix"], "Tags": tags}}
    elif len(tags) == 1:
        out["Filter"] = {"Tag": tags[0]}
    elif tags:
        out["Filter"] = {"And": {"Tags": tags}}
    else:
        out["Filter"] = {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    if "NoncurrentVersionExpiration" in rule:
        out["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    return out


def _queue_notification(config: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"QueueArn": config["Queue"], "Events": [config["Event"]]}
    rules = config.get("Filter", {}).get("S3Key", {}).get("Rules")
    if rules:
        out["Filter"] = {"Key": {"FilterRules": rules}}
    return out


def _queue(logical: str, p: dict[str, Any], done: Provisioned) -> dict[str, Any]:
    sqs = aws.sqs()
    name = p.get("QueueName", f"{done.stack}-{logical}")
    attributes = {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in p.items()
        if k
        in {
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "MaximumMessageSize",
            "ReceiveMessageWaitTimeSeconds",
            "SqsManagedSseEnabled",
            "FifoQueue",
        }
    }
    if "RedrivePolicy" in p:
        attributes["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = f"arn:aws:sqs:{done.region}:{ACCOUNT_ID}:{name}"
    return {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}


def _queue_policy(logical: str, p: dict[str, Any], done: Provisioned) -> dict[str, Any]:
    for url in p["Queues"]:
        aws.sqs().set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(p["PolicyDocument"])})
    return {"Ref": f"{done.stack}-{logical}"}


def _topic(logical: str, p: dict[str, Any], done: Provisioned) -> dict[str, Any]:
    name = p.get("TopicName", f"{done.stack}-{logical}")
    arn = aws.client("sns").create_topic(Name=name)["TopicArn"]
    return {"Ref": arn, "TopicName": name}


def _alarm(logical: str, p: dict[str, Any], done: Provisioned) -> dict[str, Any]:
    name = p.get("AlarmName", f"{done.stack}-{logical}")
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        AlarmDescription=p.get("AlarmDescription", ""),
        Namespace=p["Namespace"],
        MetricName=p["MetricName"],
        Dimensions=p.get("Dimensions", []),
        Statistic=p["Statistic"],
        Period=int(p["Period"]),
        EvaluationPeriods=int(p["EvaluationPeriods"]),
        Threshold=float(p["Threshold"]),
        ComparisonOperator=p["ComparisonOperator"],
        TreatMissingData=p.get("TreatMissingData", "missing"),
        AlarmActions=p.get("AlarmActions", []),
    )
    return {"Ref": name, "Arn": f"arn:aws:cloudwatch:{done.region}:{ACCOUNT_ID}:alarm:{name}"}


def _email_identity(logical: str, p: dict[str, Any], done: Provisioned) -> dict[str, Any]:
    identity = p["EmailIdentity"]
    ses = aws.client("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    return {"Ref": identity}


_CREATORS: dict[str, Callable[[str, dict[str, Any], Provisioned], dict[str, Any]]] = {
    "AWS::SES::EmailIdentity": _email_identity,
    "AWS::DynamoDB::Table": _table,
    "AWS::S3::Bucket": _bucket,
    "AWS::SQS::Queue": _queue,
    "AWS::SQS::QueuePolicy": _queue_policy,
    "AWS::SNS::Topic": _topic,
    "AWS::CloudWatch::Alarm": _alarm,
}
