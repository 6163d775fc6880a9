"""Who may do what with the strategy document (the PDF of a frozen version).

Registered from ``adoption.models.documents`` so that the permissions exist wherever the
model does (the app's ``rules.py`` belongs to the decisions)."""

import rules

from strategy.rules import is_admin, is_district_staff, is_participant, runs_process


@rules.predicate
def is_mutable_document(user, document) -> bool:
    """Anything but a finished council submission (that one is kept unchanged for good)."""
    return document is not None and not document.is_immutable


# Everybody logged in reads and downloads (councillors read the version they decide on).
rules.add_perm("adoption.view_documents", is_participant)
# District staff, consultants and administrators have drafts rendered …
rules.add_perm("adoption.render_document", runs_process)
# … but only the district administration issues the council submission (Beschlussvorlage).
rules.add_perm("adoption.render_submission", is_district_staff | is_admin)
rules.add_perm("adoption.delete_document", (is_district_staff | is_admin) & is_mutable_document)
