"""What other apps have to say about a budget year on its page, such as money they hold for the
year that is not on any of its lines. Finance does not import those apps: they register a
function here when they start (the grants app does, in `GrantsConfig.ready()`)."""

from collections.abc import Callable

from peoplezones.finance.models import BudgetYear

# A note-maker takes a budget year and returns sentences to show on the year's page.
NoteMaker = Callable[[BudgetYear], list[str]]
_NOTE_MAKERS: list[NoteMaker] = []


def register(maker: NoteMaker) -> None:
    if maker not in _NOTE_MAKERS:
        _NOTE_MAKERS.append(maker)


def year_notes(year: BudgetYear) -> list[str]:
    return [note for maker in _NOTE_MAKERS for note in maker(year)]
