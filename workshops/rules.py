"""Who may do what with workshops."""

import rules

from strategy.rules import edition_is_open, is_participant, runs_process


@rules.predicate
def facilitates(user, workshop) -> bool:
    """The user is one of the workshop's facilitators."""
    if workshop is None or not user.is_authenticated:
        return False
    workshop = getattr(workshop, "workshop", workshop)  # a session stands for its workshop
    return workshop.facilitators.filter(pk=user.pk).exists()


# District staff and consultants plan and run every workshop; named facilitators theirs.
# Workshops of an archived edition (one that was updated by a new edition) are read-only.
runs_workshop = (runs_process | facilitates) & edition_is_open

rules.add_perm("workshops.view_workshop", is_participant)
rules.add_perm("workshops.add_workshop", runs_process)
rules.add_perm("workshops.change_workshop", runs_workshop)
rules.add_perm("workshops.invite", runs_workshop)
rules.add_perm("workshops.record_attendance", runs_workshop)
rules.add_perm("workshops.facilitate", runs_workshop)
rules.add_perm("workshops.project", runs_workshop)
rules.add_perm("workshops.edit_minutes", runs_workshop)
rules.add_perm("workshops.view_minutes", is_participant)
