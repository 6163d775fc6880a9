"""Who may read and record the decisions of the adoption phase (django-rules).

Everybody logged in reads the bodies and their decisions. District staff, the consultants and
administrators record them and edit the draft council papers. Municipal representatives do
not write decisions, not even of their own council: the record is the district's one tally of
all twelve bodies, kept in step with the council information systems, and it decides when the
adoption phase is complete and what the public page shows; the representatives send the paper
number and the link, the district enters them. Publishing the adopted strategy is an official
act of the Kreis: district staff and administrators only."""

import rules

from strategy.rules import is_admin, is_district_staff, is_participant, runs_process

rules.add_perm("adoption.view_decisions", is_participant)
rules.add_perm("adoption.record_decision", runs_process)
rules.add_perm("adoption.edit_council_paper", runs_process)
rules.add_perm("adoption.publish", is_district_staff | is_admin)
