from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from peoplezones.core.forms import add_service_errors


class ProjectForm(forms.Form):
    name = forms.CharField()
    hours = forms.IntegerField()


def _form():
    form = ProjectForm({"name": "Path clearing", "hours": "3"})
    assert form.is_valid()
    return form


def test_field_errors_go_against_their_fields_and_the_rest_on_the_form():
    form = _form()
    error = ValidationError({"hours": "Too many hours.", "sessions": "No session that day."})
    add_service_errors(form, error, field_names={"sessions": None})
    assert form.errors["hours"] == ["Too many hours."]
    assert form.non_field_errors() == ["No session that day."]


def test_a_field_the_form_does_not_have_goes_on_the_form():
    form = _form()
    add_service_errors(form, ValidationError({"budget_line": "The line is closed."}))
    assert form.non_field_errors() == ["The line is closed."]


def test_a_refusal_goes_on_the_form():
    form = _form()
    add_service_errors(form, PermissionDenied("Only the programme team can record hours."))
    assert form.non_field_errors() == ["Only the programme team can record hours."]
    assert not form.is_valid()
