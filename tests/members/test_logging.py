"""Log output never carries a full mobile or ID number, whatever the code logged."""

import io
import logging
import logging.config

import pytest
from django.conf import settings

from members import actions
from members.sheets import roll
from members.sheets.files import SheetRejected
from tests.members.conftest import ID_NUMBERS, MEMBER_HEADERS, grant, xlsx_bytes


@pytest.fixture
def log_stream():
    """The project's console handler (with its masking filter), writing to a buffer."""
    stream = io.StringIO()
    config = settings.LOGGING["handlers"]["console"]
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    for name in config["filters"]:
        spec = settings.LOGGING["filters"][name]
        module, _, cls = spec["()"].rpartition(".")
        handler.addFilter(getattr(__import__(module, fromlist=[cls]), cls)())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_a_careless_log_line_is_masked(log_stream):
    logging.getLogger("members.views").warning(
        "member %s called from %s", ID_NUMBERS[0], "13812345678"
    )
    output = log_stream.getvalue()
    assert "110***********002X" in output and "138****5678" in output
    assert ID_NUMBERS[0] not in output and "13812345678" not in output


def test_reveal_import_and_invite_log_no_personal_data(log_stream, clerk, member, staff):
    grant(clerk, "members.reveal_personal_data")
    actions.reveal_personal_data(member=member, by=clerk)
    bad = [["", "张三", "男", "13912345678", "110105194912310021", "是", "无此支部"]]
    with pytest.raises(SheetRejected):
        roll.import_sheet(
            kind="member", content=xlsx_bytes(MEMBER_HEADERS, bad), file_name="a.xlsx", by=staff
        )
    output = log_stream.getvalue()
    assert "members.reveal" in output  # the reveal itself is logged, by ids only
    for secret in ["13812345678", ID_NUMBERS[0], "13912345678", "110105194912310021"]:
        assert secret not in output
