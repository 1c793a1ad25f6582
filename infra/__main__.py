"""`python -m infra <command>`: the local cloud and its tools.

run                         start the whole system locally (what `make run` does)
token --agency A --role R   print an official's token the local stack accepts
seed                        load the seed catalogue into the table and bucket of the environment
redrive [--stage S]         replay the dead-letter queues (poison messages are kept and reported)
check [--stage S]           the invariant checker: inboxes, payments, events, statistics, DLQs
publish-portal --stage S    upload the built portal to the stage's bucket on AWS, invalidate CloudFront
web-acl --stage S           print the public lookup's web ACL as a template of its own (for us-east-1)
history --dossiers N        write a year of finished dossiers into the local table (the console at volume)
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the local cloud")
    token = commands.add_parser("token", help="mint an official's token with the dev key")
    token.add_argument("--agency", required=True)
    token.add_argument(
        "--role",
        required=True,
        action="append",
        help="receiver, handler, leader or catalog_admin (repeat or comma-separate)",
    )
    token.add_argument("--sub")
    token.add_argument("--name")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    commands.add_parser("seed", help="seed the catalogue (TABLE_NAME, FORMS_BUCKET, AWS_ENDPOINT_URL)")
    redrive = commands.add_parser("redrive", help="replay every dead-letter queue of a stage")
    redrive.add_argument("--stage", default=os.environ.get("STAGE", "local"))
    redrive.add_argument("--dry-run", action="store_true", help="report, move nothing")
    redrive.add_argument("--json", action="store_true", help="print the report as JSON")
    check = commands.add_parser("check", help="check the invariants of a stage's data")
    check.add_argument("--stage", default=os.environ.get("STAGE", "local"))
    check.add_argument("--url", help="the local cloud (its gateway simulators); default from PORT")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    publish = commands.add_parser("publish-portal", help="upload the built portal to a deployed stage")
    publish.add_argument("--stage", default=os.environ.get("STAGE"), required=not os.environ.get("STAGE"))
    publish.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    publish.add_argument("--directory", help="the built portal (default: portal/)")
    publish.add_argument("--dry-run", action="store_true", help="list what would change, change nothing")
    web_acl = commands.add_parser("web-acl", help="the public lookup's web ACL, a template for us-east-1")
    web_acl.add_argument("--stage", default=os.environ.get("STAGE"), required=not os.environ.get("STAGE"))
    history = commands.add_parser("history", help="a year of finished dossiers in the local cloud's table")
    history.add_argument("--dossiers", type=int, default=10_000)
    history.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.command in ("redrive", "check", "history") and getattr(args, "stage", "local") == "local":
        _point_at_local_cloud()

    if args.command == "run":
        from infra.cloud import serve

        serve()
    elif args.command == "token":
        from infra.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, mint

        roles = [r.strip() for value in args.role for r in value.split(",") if r.strip()]
        print(
            mint(
                args.agency,
                roles,
                sub=args.sub,
                name=args.name,
                ttl_seconds=args.ttl,
                issuer=os.environ.get("OFFICIALS_ISSUER") or DEFAULT_ISSUER,
                audience=os.environ.get("OFFICIALS_AUDIENCE") or DEFAULT_AUDIENCE,
            )
        )
    elif args.command == "seed":
        from infra.seeding import seed_catalogue

        report = seed_catalogue(os.environ["TABLE_NAME"], os.environ["FORMS_BUCKET"])
        print(
            f"{report.imported} imported, {report.updated} updated, {report.rejected} rejected, "
            f"{report.templates_uploaded} templates, {report.seconds} s"
        )
    elif args.command == "redrive":
        from infra.redrive import redrive as run_redrive

        report = run_redrive(args.stage, dry_run=args.dry_run, log=(lambda _: None) if args.json else print)
        if args.json:
            print(json.dumps(report.as_json(), ensure_ascii=False))
    elif args.command == "check":
        from infra.cloud import LocalOptions
        from infra.invariants import check as run_check

        result = run_check(args.stage, args.url or LocalOptions.from_env().base_url)
        print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else "\n".join(result.lines()))
        return 0 if result.ok else 1
    elif args.command == "publish-portal":
        from pathlib import Path

        from infra.portal_build import build as build_portal
        from infra.publish import PORTAL_DIR, PublishError, publish

        if not args.directory:
            build_portal()
        try:
            published = publish(
                args.stage,
                Path(args.directory) if args.directory else PORTAL_DIR,
                dry_run=args.dry_run,
                region=args.region or "ap-southeast-1",
            )
        except PublishError as error:
            print(f"publish-portal: {error}", file=sys.stderr)
            return 1
        print("\n".join(published.lines()))
    elif args.command == "history":
        from infra.history import load
        from infra.invariants import find_table

        print(load(find_table("local"), args.dossiers, args.seed).line())
    elif args.command == "web-acl":
        from infra import sls
        from infra.edge import web_acl_template

        print(
            json.dumps(web_acl_template(sls.load(stage=args.stage, region="us-east-1")), ensure_ascii=False)
        )
    return 0


def _point_at_local_cloud() -> None:
    """The local stage's AWS is the embedded one `make run` started (AWS_PORT), unless told otherwise."""
    from infra.cloud import LocalOptions

    os.environ.setdefault("AWS_ENDPOINT_URL", LocalOptions.from_env().aws_endpoint)
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-1")


if __name__ == "__main__":
    sys.exit(main())
