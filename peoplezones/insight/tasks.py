"""Background work of place insight (django-tasks): hotspot analyses asked for on a page.

`hotspot_run_request` records a queued HotspotRun with its parameters and, once that is
committed, enqueues `run_hotspot_analysis`, which runs `services.hotspots.run_hotspots` and
writes each step's progress on the run, so that the run's page can show it while it works. With
the immediate backend (development, tests) the analysis runs before the request returns; with
the database backend a `manage.py db_worker` process picks it up.
"""

import logging
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from peoplezones.core.services import audit_record
from peoplezones.insight import hotspots as engine
from peoplezones.insight.hotspots import HotspotError
from peoplezones.insight.models import HotspotRun
from peoplezones.insight.services.hotspots import (
    DEFAULT_H3_RESOLUTION,
    STEPS,
    HotspotParams,
    record_run,
    run_hotspots,
)
from peoplezones.insight.study_areas import StudyArea, study_area

logger = logging.getLogger(__name__)

STEP_LABELS = {
    "area": gettext_lazy("Drawing the study area"),
    "crimes": gettext_lazy("Reading the crimes"),
    "grid": gettext_lazy("Counting crimes in each cell"),
    "statistics": gettext_lazy("Working out Getis-Ord Gi*, p and q"),
    "density": gettext_lazy("Working out the kernel density"),
    "store": gettext_lazy("Storing the result"),
}
# Fields of a finished analysis copied onto the queued run.
RESULT_FIELDS = (
    "area",
    "area_label",
    "zone",
    "month_from",
    "month_to",
    "crime_types",
    "grid",
    "cell_size",
    "h3_resolution",
    "band",
    "buffer",
    "bandwidth",
    "weighting",
    "harm_weights",
    "classify_by",
    "method_version",
    "cells",
    "crimes",
    "hot_cells",
    "cold_cells",
    "data_snapshot",
    "results",
)


def hotspot_params(run: HotspotRun) -> HotspotParams:
    """The parameters a run was asked with."""
    return HotspotParams(
        area=run.area,
        month_from=run.month_from,
        month_to=run.month_to,
        crime_types=tuple(run.crime_types),
        grid=run.grid,
        cell_size=run.cell_size,
        h3_resolution=run.h3_resolution or DEFAULT_H3_RESOLUTION,
        band=run.band,
        buffer=run.buffer,
        bandwidth=run.bandwidth,
        weighting=run.weighting,
        classify_by=run.classify_by,
    )


def hotspot_run_request(
    *, params: HotspotParams, actor: Any, area: StudyArea | None = None
) -> HotspotRun:
    """Record a queued hotspot run and start its analysis in the background.

    `area`: the study area of `params`, when the caller has already built it (the form has, to
    check the grid's size); building one can take a while for a whole force.
    Raises HotspotError if the area cannot be analysed (unknown, or without a boundary). The
    task is enqueued only when the run is committed, so a worker never looks for a run that
    is not there yet. Records an audit event `insight.hotspots_requested`.
    """
    if area is None or area.key != params.area:
        area = study_area(params.area, buffer=params.buffer)
    with transaction.atomic():
        run = HotspotRun(
            area=area.key,
            area_label=area.label[:200],
            zone=area.zone,
            month_from=params.month_from,
            month_to=params.month_to,
            crime_types=list(params.crime_types),
            grid=params.grid,
            cell_size=round(engine.hex_spacing(params.h3_resolution))
            if params.is_hex
            else params.cell_size,
            h3_resolution=params.h3_resolution if params.is_hex else None,
            band=params.band,
            buffer=params.buffer,
            bandwidth=params.bandwidth or params.band,
            weighting=params.weighting,
            classify_by=params.classify_by,
            method_version=engine.METHOD_VERSION,
            status=HotspotRun.Status.QUEUED,
            progress=0,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        run.full_clean()
        run.save()
        audit_record(
            actor=actor,
            verb="insight.hotspots_requested",
            target=run,
            zone=area.zone,
            data={
                key: (value.isoformat() if hasattr(value, "isoformat") else value)
                for key, value in asdict(params).items()
            },
        )
        run_id = run.pk
        transaction.on_commit(lambda: run_hotspot_analysis.enqueue(run_id=run_id))
    return run


def _mark(run_id: int, **values: Any) -> None:
    # update(), not save(): the page polling the run must see each step, and a save() of a stale
    # object must not undo another field.
    HotspotRun.objects.filter(pk=run_id).update(**values)


@task()
def run_hotspot_analysis(run_id: int) -> dict[str, Any]:
    """Run a queued hotspot analysis, writing its progress on the run; idempotent.

    A run that is not queued (already done, running elsewhere, or failed) is left alone. An
    analysis that cannot be done (no crimes in the area, too many cells) fails with the reason
    for the person who asked; an unexpected error fails it with a general message, is logged and
    raised so that the task backend records it.
    """
    claimed = HotspotRun.objects.filter(pk=run_id, status=HotspotRun.Status.QUEUED).update(
        status=HotspotRun.Status.RUNNING, progress=0, step=STEPS[0]
    )
    if not claimed:
        return {"run": run_id, "status": "skipped"}
    run = HotspotRun.objects.select_related("created_by").get(pk=run_id)

    def progress(step: str) -> None:
        _mark(run_id, step=step, progress=round(100 * STEPS.index(step) / len(STEPS)))

    try:
        result = run_hotspots(hotspot_params(run), run.created_by, store=False, progress=progress)
    except HotspotError as error:
        _mark(run_id, status=HotspotRun.Status.FAILED, error=str(error), step="")
        return {"run": run_id, "status": "failed"}
    except Exception:
        logger.exception("Hotspot run %s failed", run_id)
        _mark(
            run_id,
            status=HotspotRun.Status.FAILED,
            error=_("The analysis stopped because of an error in the platform; it is logged."),
            step="",
        )
        raise
    with transaction.atomic():
        run = HotspotRun.objects.select_for_update().get(pk=run_id)
        for name in RESULT_FIELDS:
            setattr(run, name, getattr(result.run, name))
        run.status = HotspotRun.Status.DONE
        run.progress = 100
        run.step = ""
        run.error = ""
        record_run(run=run, actor=run.created_by)
    return {"run": run_id, "status": "done", "warnings": result.warnings}
