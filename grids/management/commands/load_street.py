"""manage.py load_street FILE [--print-accounts]: load (or refresh) a street from JSON."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from grids.loading import StreetFileError, street_data_load, street_file_read
from grids.roles import Role


class Command(BaseCommand):
    help = "Load areas, departments and people from a street JSON file (validated, atomic)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="street JSON file, e.g. fixtures/data/qinggang.json")
        parser.add_argument(
            "--print-accounts", action="store_true", help="print the accounts and passwords"
        )
        parser.add_argument(
            "--accounts-only",
            action="store_true",
            help="only print the file's accounts; load nothing",
        )

    def handle(
        self, *args: Any, path: str, print_accounts: bool, accounts_only: bool, **options: Any
    ) -> None:
        try:
            if accounts_only:
                self._print_accounts(street_file_read(path).get("users", []))
                return
            result = street_data_load(street_file_read(path))
        except StreetFileError as exc:
            problems = "\n".join(f"  - {error}" for error in exc.errors)
            raise CommandError(
                f"{path}: {len(exc.errors)} problem(s), nothing was written:\n{problems}"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {path}: {result.areas} areas, {result.departments} departments, "
                f"{result.users} people ({result.memberships_added} new memberships)."
            )
        )
        if print_accounts:
            self._print_accounts(result.accounts)

    def _print_accounts(self, accounts: list[dict[str, Any]]) -> None:
        self.stdout.write(f"\n{'username':<16} {'password':<16} {'name':<10} roles")
        for account in accounts:
            roles = ", ".join(
                f"{Role(m['role']).label}@{m.get('area') or m.get('department')}"
                for m in account.get("memberships", [])
            )
            self.stdout.write(
                f"{account['username']:<16} {account.get('password', '-'):<16} "
                f"{account.get('name', ''):<10} {roles}"
            )
