"""The local cloud provisions exactly what serverless.yml declares: read it back and compare."""

from __future__ import annotations

import json

from infra import sls
from services.core.dal import aws


def _template() -> dict:
    return sls.load(stage="local").resources


def test_the_table_has_its_keys_indexes_stream_ttl_and_recovery(cloud):
    spec = _template()["Table"]["Properties"]
    table = aws.dynamodb().describe_table(TableName=cloud.provisioned.ref("Table"))["Table"]
    assert table["KeySchema"] == spec["KeySchema"]
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == sorted(
        i["IndexName"] for i in spec["GlobalSecondaryIndexes"]
    )
    for index in table["GlobalSecondaryIndexes"]:
        declared = next(i for i in spec["GlobalSecondaryIndexes"] if i["IndexName"] == index["IndexName"])
        assert index["KeySchema"] == declared["KeySchema"]
        assert index["Projection"]["ProjectionType"] == declared["Projection"]["ProjectionType"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = aws.dynamodb().describe_time_to_live(TableName=table["TableName"])["TimeToLiveDescription"]
    assert ttl == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": spec["TimeToLiveSpecification"]["AttributeName"],
    }
    backups = aws.dynamodb().describe_continuous_backups(TableName=table["TableName"])
    assert (
        backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
        == "ENABLED"
    )


def test_every_bucket_is_encrypted_private_and_configured(cloud):
    s3 = aws.s3()
    for logical, spec in _template().items():
        if spec["Type"] != "AWS::S3::Bucket":
            continue
        name = cloud.provisioned.ref(logical)
        props = spec["Properties"]
        encryption = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        assert block == props["PublicAccessBlockConfiguration"]
        if "CorsConfiguration" in props:
            rules = s3.get_bucket_cors(Bucket=name)["CORSRules"]
            assert rules[0]["AllowedOrigins"] == props["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"]
            assert rules[0]["AllowedMethods"] == props["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"]
        if "LifecycleConfiguration" in props:
            rules = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
            assert sorted(r["ID"] for r in rules) == sorted(
                r["Id"] for r in props["LifecycleConfiguration"]["Rules"]
            )
        if "NotificationConfiguration" in props:
            queues = s3.get_bucket_notification_configuration(Bucket=name)["QueueConfigurations"]
            assert queues[0]["QueueArn"] == cloud.provisioned.att("UploadsQueue", "Arn")
            assert queues[0]["Events"] == ["s3:ObjectCreated:*"]


def test_every_queue_has_its_dead_letter_queue(cloud):
    template = _template()
    sqs = aws.sqs()
    queues = {k: v for k, v in template.items() if v["Type"] == "AWS::SQS::Queue"}
    consumers = {k for k, v in queues.items() if "RedrivePolicy" in v["Properties"]}
    dead_letters = {k for k in queues if k.endswith("DLQ")}
    assert consumers, "no queues"
    for logical in consumers:
        attributes = sqs.get_queue_attributes(
            QueueUrl=cloud.provisioned.ref(logical), AttributeNames=["All"]
        )["Attributes"]
        policy = json.loads(attributes["RedrivePolicy"])
        declared = queues[logical]["Properties"]
        assert int(policy["maxReceiveCount"]) == int(declared["RedrivePolicy"]["maxReceiveCount"])
        target = next(
            k for k in dead_letters if cloud.provisioned.att(k, "Arn") == policy["deadLetterTargetArn"]
        )
        assert target == f"{logical.removesuffix('Queue')}DLQ"
        assert attributes["VisibilityTimeout"] == str(declared["VisibilityTimeout"])
    # and every dead-letter queue has an alarm
    alarmed = {
        a["Dimensions"][0]["Value"] for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    }
    for dlq in dead_letters:
        assert cloud.provisioned.att(dlq, "QueueName") in alarmed, dlq


def test_resources_the_local_cloud_does_not_emulate_are_only_identity_roles_and_the_cdn(cloud):
    kinds = {_template()[logical]["Type"] for logical in cloud.provisioned.skipped}
    assert kinds <= {
        "AWS::IAM::Role",
        "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient",
        "AWS::Cognito::UserPoolGroup",
        # locally officials sign in at the identity provider simulator (/sim/idp), not a Cognito domain
        "AWS::Cognito::UserPoolDomain",
        # the local gateway serves the portal at / with the headers CloudFront adds on AWS
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "AWS::CloudFront::CachePolicy",
        "AWS::CloudFront::Function",
        "AWS::S3::BucketPolicy",
        # locally the gateway's limiter applies the web ACL's rate rule (infra/edge.py)
        "AWS::WAFv2::WebACL",
    }
    # the only conditional resource locally: a CLOUDFRONT web ACL, made in the stack only in us-east-1
    assert cloud.provisioned.absent == ["PublicLookupWebAcl"]


def test_the_portal_bucket_is_created_private_and_the_distribution_points_at_it(cloud):
    from infra.provision import resolve

    bucket = cloud.provisioned.ref("PortalBucket")
    assert aws.s3().get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    distribution = resolve(_template()["PortalDistribution"]["Properties"], cloud.provisioned)
    config = distribution["DistributionConfig"]
    # without PORTAL_DOMAIN the condition is false: no aliases, CloudFront's own certificate
    assert "Aliases" not in config and "ViewerCertificate" not in config
    portal = next(o for o in config["Origins"] if o["Id"] == "portal")
    assert portal["DomainName"] == f"{bucket}.s3.ap-southeast-1.amazonaws.com"


def test_the_document_buckets_are_versioned_and_expire_replaced_versions(cloud):
    s3 = aws.s3()
    template = _template()
    for logical in ("UploadsBucket", "ResultsBucket"):
        props = template[logical]["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}, logical
        declared = next(
            r for r in props["LifecycleConfiguration"]["Rules"] if "NoncurrentVersionExpiration" in r
        )
        # what the local cloud provisioned, read back
        name = cloud.provisioned.ref(logical)
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled", logical
        rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]}
        assert rules[declared["Id"]]["Status"] == "Enabled"
        assert rules[declared["Id"]]["NoncurrentVersionExpiration"]["NoncurrentDays"] == int(
            declared["NoncurrentVersionExpiration"]["NoncurrentDays"]
        )
    # every bucket the template versions is versioned in the local cloud
    for logical, spec in template.items():
        if spec["Type"] == "AWS::S3::Bucket" and "VersioningConfiguration" in spec["Properties"]:
            status = s3.get_bucket_versioning(Bucket=cloud.provisioned.ref(logical)).get("Status")
            assert status == spec["Properties"]["VersioningConfiguration"]["Status"], logical
