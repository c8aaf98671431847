"""Log filter that masks mobiles and ID numbers, whatever code wrote the message."""

import logging

from members.masking import mask_personal_data_in_text


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_personal_data_in_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
