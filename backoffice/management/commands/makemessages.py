from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Never let msgmerge guess translations: a fuzzy guess is worse than an empty entry the test catches."""

    msgmerge_options = ["-q", "--backup=none", "--previous", "--update", "--no-fuzzy-matching"]

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--no-fuzzy-matching", action="store_true", help="Always on; kept for clarity.")
