"""What every form that calls a service needs: the service's messages shown on the form."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _


class HoneypotForm(forms.Form):
    """A public form with a field people never see (the page renders it with
    `core/_honeypot.html`, hidden from people and screen readers); bots that fill in every
    field give themselves away. Views check `is_spam()` after `is_valid()` and then pretend all
    went well, saving nothing."""

    nickname = forms.CharField(required=False, label=_("Leave this empty"))

    def is_spam(self) -> bool:
        return bool(self.data.get("nickname"))


# Codes `core.images.reencode_image` gives a photo it refuses.
PHOTO_ERROR_CODES = frozenset({"too_big", "format", "not_image", "damaged", "too_many_pixels"})


def add_service_errors(
    form: forms.Form,
    error: ValidationError | PermissionDenied,
    *,
    field_names: dict[str, str | None] | None = None,
    photo_field: str | None = None,
) -> None:
    """Put a service's ValidationError against the fields it is about, else on the whole form;
    a PermissionDenied's message goes on the whole form.

    `field_names` maps a service's field names to the form's (None: the whole form); a refused
    photo goes against `photo_field`.
    """
    if isinstance(error, PermissionDenied):
        form.add_error(None, error_text(error))
        return
    field_names = field_names or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field_names.get(field, field)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
        return
    target = photo_field if getattr(error, "code", "") in PHOTO_ERROR_CODES else None
    for message in error.messages:
        form.add_error(target, message)


def error_text(error: Exception) -> str:
    """A ValidationError's or PermissionDenied's messages as one line, for a page's banner."""
    return " ".join(getattr(error, "messages", None) or [str(error)])
