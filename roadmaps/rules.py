"""Who may do what in the elaboration (vision, goals, measures, roadmaps, versions)."""

import rules

from strategy.rules import (
    is_admin,
    is_district_staff,
    is_municipal_rep,
    is_participant,
    is_working_group_member,
    runs_process,
)

rules.add_perm("roadmaps.view", is_participant)
# District staff and the consultants write the texts; representatives and the working group
# comment; councillors read.
rules.add_perm("roadmaps.edit_text", runs_process)
rules.add_perm("roadmaps.comment", runs_process | is_municipal_rep | is_working_group_member)
rules.add_perm("roadmaps.agree", runs_process)
rules.add_perm("roadmaps.edit_fields", runs_process)
rules.add_perm("roadmaps.record_measurement", runs_process)
rules.add_perm("roadmaps.edit_measure", runs_process)
rules.add_perm("roadmaps.freeze", is_district_staff | is_admin)
