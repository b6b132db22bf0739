"""What operators do on citizen reports from the screens: reminders and escalations on a case, moderation
decisions on new reports, and the reporters they blocked. Append-only audit, except the block list."""

import pyarrow as pa

from lake.catalog import TS, TableSpec

STR = pa.string()

CASE_ACTIONS = TableSpec(
    name="silver.case_actions",
    schema=pa.schema([
        ("action_id", STR),  # uuid4 hex
        ("report_id", STR),
        ("action", STR),  # reminder | escalation
        ("unit_id", STR),  # the unit holding the report, reminded or escalated over
        ("escalated_to", STR),  # escalation: whom to (a leader, the unit's superior), free text
        ("note", STR),
        ("deadline_at", TS),  # the deadline in force when the operator acted
        ("actor", STR),
        ("role", STR),
        ("acted_at", TS),
    ]),
    keys=("action_id",),
    description="IOC action events on a report: an operator's reminder to the unit, or an escalation, with "
                "who, when and the deadline in force. Append-only.",
)

MODERATION_DECISIONS = TableSpec(
    name="silver.moderation_decisions",
    schema=pa.schema([
        ("decision_id", STR),  # uuid4 hex
        ("report_id", STR),
        ("decision", STR),  # accepted | merged | invalid | blocked
        ("reason", STR),  # why invalid (a reason code and a note), or why blocked
        ("duplicate_of", STR),  # merged: the original report
        ("flags", STR),  # what the queue flagged it for when decided: duplicate, spam, inciting, blocked (comma list)
        ("moderator", STR),
        ("role", STR),
        ("decided_at", TS),
    ]),
    keys=("decision_id",),
    description="Every moderation decision an operator made on a new report: accepted, merged into an "
                "original, marked invalid with a reason, or its reporter blocked. Append-only.",
)

BLOCKED_REPORTERS = TableSpec(
    name="silver.blocked_reporters",
    schema=pa.schema([
        ("reporter_phone", STR),  # the key: the reporter's phone number (personal data: operators only)
        ("reason", STR),
        ("report_id", STR),  # the report that led to the block
        ("blocked_by", STR),
        ("blocked_at", TS),
    ]),
    keys=("reporter_phone",),
    description="Reporters an operator blocked: their new reports are flagged in the moderation queue.",
)

TABLES = [CASE_ACTIONS, MODERATION_DECISIONS, BLOCKED_REPORTERS]
