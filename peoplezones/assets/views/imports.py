"""The staff upload page: check a file of assets, show what would happen, then import it.

Between the check and the confirmation the upload waits in MEDIA_ROOT/imports/ under a random
token that only this person's session knows, for at most an hour; the confirmation imports the
whole file in one transaction, so there are no half-imports.
"""

import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from peoplezones.assets.importers import (
    ImportFileError,
    ImportReport,
    assets_import,
    parse_import_file,
    unit_label,
)
from peoplezones.assets.models import Asset
from peoplezones.assets.permissions import can_import_assets

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_LIFETIME_S = 60 * 60
SUFFIXES = (".csv", ".geojson", ".json")
SESSION_KEY = "assets_import_upload"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of assets"),
        help_text=gettext_lazy(
            "A CSV file, a GeoJSON file of points or an Open Referral UK JSON file, up to 5 MB."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(SUFFIXES):
            raise ValidationError(_("The file must be a .csv, .geojson or .json file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file must be smaller than 5 MB."))
        return upload


def _form_with_error(message: str, *, field: str | None = None) -> ImportUploadForm:
    """An empty upload form showing one error, for when the stored upload cannot be used."""
    form = ImportUploadForm(data={}, files={})
    form.is_valid()
    # Only the error below applies: nobody has submitted this form yet.
    form.errors.clear()
    form.add_error(field, message)
    return form


def _check_permission(request: HttpRequest) -> None:
    if not can_import_assets(request.user):
        raise PermissionDenied(_("Only moderators and the programme team can import assets."))


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _store_upload(content: bytes) -> str:
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # Uploads nobody confirmed are removed here rather than by a scheduled job.
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < time.time() - UPLOAD_LIFETIME_S:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(content)
    return token


def _stored_upload(request: HttpRequest) -> tuple[Path, str] | None:
    """The file this session uploaded and the confirmation names, if it has not expired."""
    stored = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not TOKEN.match(token) or not secrets.compare_digest(token, stored.get("token", "")):
        return None
    if stored.get("stored", 0) < time.time() - UPLOAD_LIFETIME_S:
        return None
    upload = _upload_dir() / f"{token}.upload"
    return (upload, stored.get("name", "")) if upload.exists() else None


def _render_report(
    request: HttpRequest, report: ImportReport, *, file_name: str, token: str = ""
) -> HttpResponse:
    return render(
        request,
        "assets/import_report.html",
        {
            "report": report,
            "unit": unit_label(report.unit),
            "file_name": file_name,
            "token": token,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file and see what importing it would do; nothing is written yet."""
    _check_permission(request)
    if request.method == "GET":
        return render(request, "assets/import_form.html", {"form": ImportUploadForm()})
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            parsed = parse_import_file(content=content, filename=upload.name)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            report = assets_import(
                parsed=parsed,
                actor=request.user,
                status=Asset.Status.PUBLISHED,
                dry_run=True,
            )
            token = _store_upload(content)
            request.session[SESSION_KEY] = {
                "token": token,
                "name": upload.name,
                "stored": time.time(),
            }
            return _render_report(request, report, file_name=upload.name, token=token)
    return render(request, "assets/import_form.html", {"form": form}, status=400)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the file checked a moment ago, all or nothing."""
    _check_permission(request)
    stored = _stored_upload(request)
    if stored is None:
        form = _form_with_error(
            _("The uploaded file has expired or was already imported. Upload the file again.")
        )
        return render(request, "assets/import_form.html", {"form": form}, status=400)
    upload, name = stored
    try:
        parsed = parse_import_file(content=upload.read_bytes(), filename=name)
    except ImportFileError as error:
        form = _form_with_error(str(error), field="file")
        return render(request, "assets/import_form.html", {"form": form}, status=400)
    report = assets_import(
        parsed=parsed,
        actor=request.user,
        status=Asset.Status.PUBLISHED,
        skip_errors=request.POST.get("skip_errors") == "1",
    )
    if not report.committed:
        # Rows went bad since the check (a category removed, say): keep the file to try again.
        return _render_report(request, report, file_name=name, token=upload.stem)
    upload.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("Imported and published %(count)s assets from %(name)s.")
        % {"count": len(report.created), "name": name},
    )
    return _render_report(request, report, file_name=name)


urlpatterns = [
    path("moderation/import/", import_upload, name="import"),
    path("moderation/import/confirm/", import_confirm, name="import-confirm"),
]
