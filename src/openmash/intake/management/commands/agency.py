"""`openmash agency add|list|client`: onboard an agency, the feeds it may send, and its API client.

openmash agency add --name "Wrenford Police" --kind police --code wrenford-police \\
    --feeds police_missing,police_domestic_abuse [--client "Records system"]
openmash agency client --code wrenford-police --client "Records system"   a new API token
openmash agency list
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency, AgencyKind
from openmash.intake.onboarding import agency_client_issue, agency_onboard, feeds_for_kind


def _errors(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{message}" for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Onboard an agency: add it with the feeds it may send, issue its API client, list agencies."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add an agency")
        add.add_argument("--name", required=True, help="The agency's name, e.g. 'Wrenford Police'")
        add.add_argument("--kind", required=True, choices=AgencyKind.values)
        add.add_argument(
            "--code", required=True, help="A short code used in feeds and logs, e.g. wrenford-police"
        )
        add.add_argument(
            "--feeds", default="", help="Comma-separated feed codes (default: every feed of its kind)"
        )
        add.add_argument("--client", default="", help="Also issue an API token for this system")
        client = sub.add_parser("client", help="Issue an API token for an agency's system")
        client.add_argument("--code", required=True)
        client.add_argument("--client", required=True, help="The system's name")
        sub.add_parser("list", help="List the agencies and the feeds each may send")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(highlight=False)
        actor = Actor.system("agency")
        try:
            if options["action"] == "add":
                feeds = [f.strip() for f in options["feeds"].split(",") if f.strip()] or feeds_for_kind(
                    options["kind"]
                )
                done = agency_onboard(
                    actor=actor, name=options["name"], kind=options["kind"], code=options["code"],
                    feeds=feeds, client_name=options["client"],
                )  # fmt: skip
                console.print(
                    f"Added {done.agency.name} ({done.agency.get_kind_display()}), code {done.agency.code}, "
                    f"which may send: {', '.join(done.agency.feeds)}."
                )
                console.print(f"Import its files with: openmash import FEED FILE --agency {done.agency.code}")
                if done.token:
                    self._token(console, str(done.client), done.token)
            elif options["action"] == "client":
                agency = Agency.objects.filter(code=options["code"]).first()
                if agency is None:
                    raise CommandError(f"There is no agency with code '{options['code']}'.")
                issued, token = agency_client_issue(actor=actor, agency=agency, client_name=options["client"])
                self._token(console, str(issued), token)
            else:
                table = Table(title="Agencies")
                for column in ("code", "name", "kind", "feeds it may send"):
                    table.add_column(column)
                for agency in Agency.objects.order_by("code"):
                    may_send = (
                        ", ".join(agency.feeds)
                        or f"any of its kind ({', '.join(feeds_for_kind(agency.kind))})"
                    )
                    table.add_row(agency.code, agency.name, agency.get_kind_display(), may_send)
                console.print(table)
        except ValidationError as error:
            raise CommandError(_errors(error)) from None

    def _token(self, console: Console, client: str, token: str) -> None:
        console.print(f"API client {client}: its token, shown once (keep it in that system's secret store):")
        self.stdout.write(token)
