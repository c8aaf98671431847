"""The only writers of the points ledger, the stock and the vouchers; `from points import actions`.

Each action is one transaction. Rows are locked through `points.locks` (accounts, then
stocks, then conditional UPDATEs of vouchers), so concurrent calls queue instead of
double-spending; the database check constraints (balance >= 0, stock >= 0) are the backstop.
`at` parameters exist for back-dated records (demo history, staff entering paper records);
views never pass them. One module per concern: ledger (award, adjust) · stock (restock,
write off) · vouchers (redeem, cancel, expire, hand over) · books (the append-only rows and
their cached totals) · checks (the values callers pass).
"""

from points.actions.checks import MAX_KEY_LENGTH
from points.actions.ledger import adjust, award, bulk_award
from points.actions.stock import restock, write_off
from points.actions.vouchers import (
    CODE_ALPHABET,
    CODE_LENGTH,
    cancel_voucher,
    confirm_voucher,
    expire,
    expire_due_vouchers,
    is_operator,
    normalize_code,
    redeem,
    redeem_quote,
    remind_expiring_vouchers,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_KEY_LENGTH",
    "adjust",
    "award",
    "bulk_award",
    "cancel_voucher",
    "confirm_voucher",
    "expire",
    "expire_due_vouchers",
    "is_operator",
    "normalize_code",
    "redeem",
    "redeem_quote",
    "remind_expiring_vouchers",
    "restock",
    "write_off",
]
