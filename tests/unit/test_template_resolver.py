"""The local cloud's reading of CloudFormation: Parameters, Conditions, Fn::If, AWS::NoValue and the
condition functions, as CloudFormation evaluates them (infra/provision.py)."""

from __future__ import annotations

from typing import Any

import pytest

from infra import sls
from infra.provision import NO_VALUE, Provisioned, _Placeholder, evaluate, provision, resolve
from infra.sls import ServerlessConfig


def _done(parameters: dict[str, Any] | None = None, conditions: dict[str, Any] | None = None) -> Provisioned:
    done = Provisioned(
        region="ap-southeast-1",
        stack="dichvucong-test",
        parameters=parameters or {},
        conditions=conditions or {},
    )
    done.resources["Bucket"] = {"Ref": "the-bucket", "Arn": "arn:aws:s3:::the-bucket"}
    return done


DOMAIN = {"Fn::Not": [{"Fn::Equals": [{"Ref": "Domain"}, ""]}]}


def test_fn_if_takes_the_branch_of_its_condition():
    node = {"Fn::If": ["HasDomain", "with", "without"]}
    assert resolve(node, _done({"Domain": "dvc.example.vn"}, {"HasDomain": DOMAIN})) == "with"
    assert resolve(node, _done({"Domain": ""}, {"HasDomain": DOMAIN})) == "without"


def test_no_value_removes_the_property_or_the_list_item():
    done = _done({"Domain": ""}, {"HasDomain": DOMAIN})
    properties = {
        "Aliases": {"Fn::If": ["HasDomain", [{"Ref": "Domain"}], {"Ref": "AWS::NoValue"}]},
        "Items": ["a", {"Fn::If": ["HasDomain", "b", {"Ref": "AWS::NoValue"}]}, "c"],
        "Kept": {"Ref": "Bucket"},
    }
    assert resolve(properties, done) == {"Items": ["a", "c"], "Kept": "the-bucket"}
    assert resolve({"Ref": "AWS::NoValue"}, done) is NO_VALUE


def test_the_taken_branch_is_resolved_and_the_other_is_not_touched():
    done = _done({"Domain": "dvc.example.vn"}, {"HasDomain": DOMAIN})
    node = {
        "Fn::If": [
            "HasDomain",
            {"Aliases": [{"Ref": "Domain"}], "Origin": {"Fn::GetAtt": ["Bucket", "Arn"]}},
            {"Ref": "NotProvisionedAnywhere"},
        ]
    }
    assert resolve(node, done) == {"Aliases": ["dvc.example.vn"], "Origin": "arn:aws:s3:::the-bucket"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"Fn::Equals": ["prod", "prod"]}, True),
        ({"Fn::Equals": [{"Ref": "Stage"}, "prod"]}, False),
        ({"Fn::Equals": [1, "1"]}, True),  # CloudFormation compares strings
        ({"Fn::Not": [{"Fn::Equals": [{"Ref": "Stage"}, "prod"]}]}, True),
        ({"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "a"]}]}, True),
        ({"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "b"]}]}, False),
        ({"Fn::Or": [{"Fn::Equals": ["a", "b"]}, {"Condition": "IsDev"}]}, True),
        ({"Fn::Or": [{"Fn::Equals": ["a", "b"]}, {"Fn::Not": [{"Condition": "IsDev"}]}]}, False),
    ],
)
def test_condition_functions(condition, expected):
    done = _done({"Stage": "dev"}, {"IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]}})
    assert evaluate(condition, done) is expected


def test_a_condition_may_name_another_and_an_unknown_one_is_an_error():
    done = _done(
        {"Stage": "dev"},
        {
            "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
            "IsNotDev": {"Fn::Not": [{"Condition": "IsDev"}]},
        },
    )
    assert done.condition("IsDev") and not done.condition("IsNotDev")
    with pytest.raises(ValueError, match="no condition"):
        done.condition("Missing")
    with pytest.raises(ValueError, match="not a condition"):
        evaluate({"Fn::Join": ["", []]}, done)


def test_a_reference_to_a_parameter_is_its_default_and_resources_come_first():
    done = _done({"Domain": "dvc.example.vn", "Bucket": "shadowed"})
    assert resolve({"Fn::Sub": "https://${Domain}/"}, done) == "https://dvc.example.vn/"
    assert resolve({"Ref": "Bucket"}, done) == "the-bucket"


def test_a_resource_whose_condition_is_false_is_not_created_and_a_true_one_is():
    config = ServerlessConfig(
        raw={
            "service": "dichvucong",
            "resources": {
                "Parameters": {"Domain": {"Type": "String", "Default": ""}},
                "Conditions": {"HasDomain": DOMAIN, "NoDomain": {"Fn::Not": [{"Condition": "HasDomain"}]}},
                "Resources": {
                    "OnlyWithDomain": {"Type": "AWS::IAM::Role", "Condition": "HasDomain"},
                    "OnlyWithout": {"Type": "AWS::IAM::Role", "Condition": "NoDomain"},
                    "Always": {
                        "Type": "AWS::IAM::Role",
                        "Properties": {"Tags": {"Fn::If": ["HasDomain", [{"Ref": "Domain"}], []]}},
                    },
                },
            },
        },
        stage="test",
        region="ap-southeast-1",
    )
    done = provision(config)
    assert done.absent == ["OnlyWithDomain"]
    assert sorted(done.skipped) == ["Always", "OnlyWithout"]
    # placeholders answer any attribute, so references to what is not emulated resolve
    assert resolve({"Fn::GetAtt": ["Always", "FunctionARN"]}, done) == "local-Always-FunctionARN"


def _placeholders(config: ServerlessConfig) -> Provisioned:
    done = Provisioned(
        region=config.region,
        stack="dichvucong-prod",
        parameters={k: v.get("Default", "") for k, v in config.parameters.items()},
        conditions=config.conditions,
    )
    for logical in [*config.resources, "HttpApi"]:
        done.resources[logical] = _Placeholder(logical)
    return done


def test_the_portal_domain_is_used_only_when_it_is_set():
    without = sls.load(stage="prod", env={})
    config = resolve(without.resources["PortalDistribution"]["Properties"], _placeholders(without))
    assert "Aliases" not in config["DistributionConfig"]
    assert "ViewerCertificate" not in config["DistributionConfig"]

    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0b6c1d2e-0000-4000-8000-000000000000"
    with_domain = sls.load(
        stage="prod",
        env={"PORTAL_DOMAIN": "dichvucong.soctrang.gov.vn", "PORTAL_CERTIFICATE_ARN": certificate},
    )
    config = resolve(with_domain.resources["PortalDistribution"]["Properties"], _placeholders(with_domain))
    assert config["DistributionConfig"]["Aliases"] == ["dichvucong.soctrang.gov.vn"]
    assert config["DistributionConfig"]["ViewerCertificate"] == {
        "AcmCertificateArn": certificate,
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
