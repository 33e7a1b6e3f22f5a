"""`openmash feed_client_create --agency CODE --name NAME --feeds a,b`: a token for an agency system.

The token is printed once. Only its SHA-256 is stored; a lost token is revoked
(`--revoke NAME`) and a new one created.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.accounts.actor import Actor
from openmash.accounts.models import Agency
from openmash.intake.models import FeedClient
from openmash.intake.services import feed_client_create, feed_client_revoke


class Command(BaseCommand):
    help = "Create (or revoke) an API token for an agency system, scoped to the feeds it may send."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's code")
        parser.add_argument("--name", required=True, help="The system's name, e.g. 'Niche RMS'")
        parser.add_argument("--feeds", default="", help="Comma-separated feed codes")
        parser.add_argument("--revoke", action="store_true", help="Revoke this system's token instead")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("feed_client_create")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"There is no agency with code '{options['agency']}'.")
        if options["revoke"]:
            client = FeedClient.objects.filter(agency=agency, name=options["name"]).first()
            if client is None:
                raise CommandError(f"{agency.name} has no system called '{options['name']}'.")
            feed_client_revoke(actor=actor, client=client)
            self.stdout.write(f"Revoked the token of {client}.")
            return
        feeds = [feed.strip() for feed in options["feeds"].split(",") if feed.strip()]
        try:
            client, token = feed_client_create(actor=actor, agency=agency, name=options["name"], feeds=feeds)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Created {client} for feeds: {', '.join(client.feeds)}.")
        self.stdout.write("Its token (shown once; store it in the agency system's secret store):")
        self.stdout.write(token)
