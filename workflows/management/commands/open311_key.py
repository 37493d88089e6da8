"""Issue, list and revoke Open311 api_keys (`Open311Key`) of integration accounts.

manage.py open311_key issue hotline12345 --name "12345 热线" [--days 365]
manage.py open311_key list
manage.py open311_key revoke hotline12345
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grids.models import User
from workflows.apis.open311.keys import open311_key_issue, open311_keys_revoke
from workflows.models import Open311Key


class Command(BaseCommand):
    help = "Issue, list or revoke Open311 api_keys of integration accounts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("verb", choices=["issue", "list", "revoke"])
        parser.add_argument("username", nargs="?")
        parser.add_argument("--name", default="", help="display name of a new account")
        parser.add_argument("--days", type=int, default=None, help="valid for this many days")

    def handle(
        self,
        *args: Any,
        verb: str,
        username: str | None,
        name: str,
        days: int | None,
        **options: Any,
    ) -> None:
        if verb == "list":
            for key in Open311Key.objects.select_related("account").order_by("pk"):
                state = "revoked" if key.revoked_at else "valid"
                self.stdout.write(
                    f"{key.account.username}\t{key.prefix}…\t{state}\t"
                    f"issued {key.created_at:%Y-%m-%d}\texpires {key.expires_at or '-'}\t"
                    f"last used {key.last_used_at or '-'}"
                )
            return
        if not username:
            raise CommandError(f"{verb} needs a username.")
        if verb == "issue":
            self.stdout.write(self.issue(username, name, days))
        else:
            self.revoke(username)

    @transaction.atomic
    def issue(self, username: str, name: str, days: int | None) -> str:
        """A new key (any old one of the account is revoked); the account is created if it
        does not exist, as a machine account without interactive login."""
        user, created = User.objects.get_or_create(
            username=username, defaults={"name": name or username}
        )
        if created:
            user.set_unusable_password()
            user.save()
        open311_keys_revoke(account=user)
        return open311_key_issue(account=user, name=name or user.name or username, days=days)

    def revoke(self, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None or not open311_keys_revoke(account=user):
            raise CommandError(f"{username} has no Open311 api_key.")
        self.stdout.write(f"Revoked the api_key of {username}.")
