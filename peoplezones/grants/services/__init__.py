"""Every write to grants goes through here: rounds, applications and their moves, conflicts of
interest, scores, decisions (with their budget commitment), payments and monitoring returns.

- `rounds`: creating a round, marking it decided;
- `round_setup`: the staff pages' round set-up with its criteria, field-by-field changes;
- `applications`: organisations, saving and submitting applications, the workflow's moves,
  messages;
- `assessment`: conflicts of interest and scores;
- `decisions`: approving (award and budget commitment) and deciding in batches;
- `awards`: payments, monitoring returns, closing an award.
"""

from .applications import (
    APPLICANT_FIELDS,
    check_move,
    move,
    next_reference,
    organisation_create,
    save_application,
    send_message,
    submission_problems,
)
from .assessment import declare_conflict, score, weighted_mean
from .awards import accept_return, close_award, record_payment, schedule_return, submit_return
from .decisions import approve, award_identifier, decide_batch
from .round_setup import CriterionInput, criteria_save, round_set_up, round_update
from .rounds import add_round_rule_errors, create_round, mark_round_decided

__all__ = [
    "APPLICANT_FIELDS",
    "CriterionInput",
    "accept_return",
    "add_round_rule_errors",
    "approve",
    "award_identifier",
    "check_move",
    "close_award",
    "create_round",
    "criteria_save",
    "decide_batch",
    "declare_conflict",
    "mark_round_decided",
    "move",
    "next_reference",
    "organisation_create",
    "record_payment",
    "round_set_up",
    "round_update",
    "save_application",
    "schedule_return",
    "score",
    "send_message",
    "submission_problems",
    "submit_return",
    "weighted_mean",
]
