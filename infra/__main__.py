"""`python -m infra <command>`: the local cloud and its tools.

run                         start the whole system locally (what `make run` does)
token --agency A --role R   print an official's token the local stack accepts
seed                        load the seed catalogue into the table and bucket of the environment
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args(argv)

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
