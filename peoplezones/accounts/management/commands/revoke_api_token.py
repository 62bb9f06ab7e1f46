from django.core.management.base import BaseCommand, CommandError

from peoplezones.accounts.models import ApiToken
from peoplezones.accounts.services import api_token_revoke


class Command(BaseCommand):
    help = "Revoke API tokens: one by the start of the token, or all of one user's."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--prefix", help="The first characters of the token, e.g. pz_AbCdEf.")
        group.add_argument("--email", help="Revoke every active token of this user.")
        parser.add_argument("--dry-run", action="store_true", help="List, but revoke nothing.")

    def handle(self, *args, prefix: str | None, email: str | None, dry_run: bool, **opts):
        tokens = ApiToken.objects.filter(revoked__isnull=True).select_related("user")
        if prefix:
            tokens = tokens.filter(prefix=prefix[:10])
        else:
            tokens = tokens.filter(user__email__iexact=email)
        tokens = list(tokens)
        if not tokens:
            raise CommandError("No active token matches.")
        for token in tokens:
            if not dry_run:
                api_token_revoke(token=token, actor=None)
            verb = "would revoke" if dry_run else "revoked"
            self.stdout.write(f"{verb} {token.prefix}… ({token.user.email})")
