"""Issue, list and revoke Open311 api_keys (DRF tokens of integration accounts).

manage.py open311_key issue hotline12345 --name "12345 热线"
manage.py open311_key list
manage.py open311_key revoke hotline12345
"""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from grids.models import User
from workflows.apis.open311.intake import OPEN311_GROUP


class Command(BaseCommand):
    help = "Issue, list or revoke Open311 api_keys of integration accounts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("verb", choices=["issue", "list", "revoke"])
        parser.add_argument("username", nargs="?")
        parser.add_argument("--name", default="", help="display name of a new account")

    def handle(
        self, *args: Any, verb: str, username: str | None, name: str, **options: Any
    ) -> None:
        if verb == "list":
            for token in Token.objects.filter(user__groups__name=OPEN311_GROUP).select_related(
                "user"
            ):
                self.stdout.write(f"{token.user.username}\t{token.created:%Y-%m-%d}")
            return
        if not username:
            raise CommandError(f"{verb} needs a username.")
        if verb == "issue":
            self.stdout.write(self.issue(username, name))
        else:
            self.revoke(username)

    @transaction.atomic
    def issue(self, username: str, name: str) -> str:
        """A new key (any old one is revoked); the account is created if it does not exist."""
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": name or username}
        )
        if created:
            user.set_unusable_password()  # a machine account: no interactive login
            user.save()
        group, _ = Group.objects.get_or_create(name=OPEN311_GROUP)
        user.groups.add(group)
        Token.objects.filter(user=user).delete()
        key: str = Token.objects.create(user=user).key  # DRF's stubs leave the value untyped
        return key

    def revoke(self, username: str) -> None:
        deleted, _ = Token.objects.filter(
            user__username=username, user__groups__name=OPEN311_GROUP
        ).delete()
        if not deleted:
            raise CommandError(f"{username} has no Open311 api_key.")
        self.stdout.write(f"Revoked the api_key of {username}.")
