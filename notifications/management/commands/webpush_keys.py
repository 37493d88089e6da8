"""manage.py webpush_keys: make the server's VAPID key pair for Web Push.

Writes GRIDCASE_WEBPUSH_KEYS_FILE (default var/webpush_keys.json, mode 600), which the
settings read; prints the public key. `--if-missing` keeps a pair that is there (the demo runs
it every time); replacing a pair makes every browser's subscription useless (the push
services refuse the new key for them), so it needs `--replace`.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notifications.push import keys_generate, keys_write, vapid_keys


class Command(BaseCommand):
    help = "Generate the VAPID key pair for Web Push (notifications/push.py)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--if-missing", action="store_true", help="keep an existing pair")
        parser.add_argument("--replace", action="store_true", help="replace an existing pair")

    def handle(self, *args: Any, if_missing: bool, replace: bool, **options: Any) -> None:
        path = Path(settings.GRIDCASE_WEBPUSH_KEYS_FILE)
        existing = vapid_keys()
        if existing and (if_missing or not replace):
            if not if_missing:
                raise CommandError(
                    f"Web Push keys exist ({'settings' if not path.is_file() else path}); "
                    "--replace makes new ones (every browser must subscribe again)."
                )
            self.stdout.write(f"Web Push keys kept. Public key: {existing.public}")
            return
        keys = keys_generate()
        keys_write(path, keys)
        self.stdout.write(f"Web Push keys written to {path}. Public key: {keys.public}")
