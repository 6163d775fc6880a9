"""Who may do what in the elaboration (vision, goals, measures, roadmaps, versions)."""

import rules

from strategy.rules import (
    edition_is_open,
    is_admin,
    is_district_staff,
    is_municipal_rep,
    is_participant,
    is_working_group_member,
    runs_process,
)

# Every write below is composed with this one check: the content of an archived edition (one
# that was updated by a new edition) is read-only for everybody.
writable = edition_is_open

rules.add_perm("roadmaps.view", is_participant)
# District staff and the consultants write the texts; representatives and the working group
# comment; councillors read.
rules.add_perm("roadmaps.edit_text", runs_process & writable)
rules.add_perm(
    "roadmaps.comment", (runs_process | is_municipal_rep | is_working_group_member) & writable
)
rules.add_perm("roadmaps.agree", runs_process & writable)
rules.add_perm("roadmaps.edit_fields", runs_process & writable)
rules.add_perm("roadmaps.record_measurement", runs_process & writable)
rules.add_perm("roadmaps.edit_measure", runs_process & writable)
rules.add_perm("roadmaps.freeze", (is_district_staff | is_admin) & writable)
# Starting an update (Fortschreibung) of an adopted edition; whether the edition may be
# updated is the service's decision (with a message), not a permission.
rules.add_perm("roadmaps.start_edition", runs_process)
