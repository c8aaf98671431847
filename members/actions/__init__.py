"""Use cases of the members app, one module per concern; `from members import actions` has all.

branches (a branch's enterprises) · personal_data (reveal, ID number) · own_account (the
member's contact details and data export) · invitations (staff invite a member to open their
account) · linking (a login linked to its member by a verified mobile) · accounts (inactive,
disabled and locked-out accounts). Keyword-only, typed, atomic; they raise `Refused`.
"""

from members.actions.accounts import (
    axes_key,
    clear_failed_logins,
    disable_account,
    end_sessions,
    inactive_accounts,
    unlock_account,
)
from members.actions.branches import check_branch_enterprises, set_branch_enterprises
from members.actions.invitations import (
    accept_invitation,
    find_invitation,
    invitation_digest,
    invite_member,
    resend_invitation,
)
from members.actions.linking import link_member_by_verified_mobile
from members.actions.own_account import change_contact_details, member_data_export
from members.actions.personal_data import RevealedData, reveal_personal_data, set_id_number

__all__ = [
    "RevealedData",
    "accept_invitation",
    "axes_key",
    "change_contact_details",
    "check_branch_enterprises",
    "clear_failed_logins",
    "disable_account",
    "end_sessions",
    "find_invitation",
    "inactive_accounts",
    "invitation_digest",
    "invite_member",
    "link_member_by_verified_mobile",
    "member_data_export",
    "resend_invitation",
    "reveal_personal_data",
    "set_branch_enterprises",
    "set_id_number",
    "unlock_account",
]
