from django.core.management.base import BaseCommand, CommandError

from peoplezones.accounts.models import User
from peoplezones.accounts.services import api_token_create


class Command(BaseCommand):
    help = (
        "Make an API token for the user with this email address. Prints the token, and "
        "nothing else, on standard output; it is stored only as a hash and cannot be shown again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, email: str, name: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"There is no user with the email address {email!r}.")
        if not user.is_active:
            raise CommandError(f"The user {email!r} is not active; activate them first.")
        token, raw = api_token_create(user=user, actor=None, name=name)
        self.stdout.write(raw)
        self.stderr.write(f"Token {token.prefix}… made for {user.email}. Keep it secret.")
