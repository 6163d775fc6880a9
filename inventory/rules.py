"""Who may do what in the inventory."""

import rules

from strategy.rules import is_municipal_rep, is_participant, represents_municipality, runs_process

# District staff and consultants edit every entry; a municipal representative those of the
# own municipality (the owner of the entry); everyone else reads.
edits_entry = runs_process | (is_municipal_rep & represents_municipality)

rules.add_perm("inventory.view_inventory", is_participant)
rules.add_perm("inventory.add_entry", runs_process | is_municipal_rep)
rules.add_perm("inventory.change_entry", edits_entry)
rules.add_perm("inventory.complete_inventory", edits_entry)
rules.add_perm("inventory.import_projects", runs_process | is_municipal_rep)
rules.add_perm("inventory.view_completeness", runs_process)
rules.add_perm("inventory.send_reminders", runs_process)
rules.add_perm("inventory.decide_synergy", runs_process)
