"""The pluggable SMS backends."""

from __future__ import annotations

import pytest

from members import sms


def test_setting_chooses_the_backend(settings):
    settings.SMS_BACKEND = "members.sms.ConsoleBackend"
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)
    settings.SMS_BACKEND = "members.sms.FileBackend"
    assert isinstance(sms.get_backend(), sms.FileBackend)


def test_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "out"
    backend = sms.get_backend()
    assert (
        backend.send(
            numbers=["+86 139-0000-0001", "１３９００００００02"], text="【地信红盟】你好", key="k1"
        )
        == 2
    )
    [path] = (tmp_path / "out").glob("*.txt")
    body = path.read_text(encoding="utf-8")
    assert "To: 13900000001,13900000002" in body
    assert "Key: k1" in body and "【地信红盟】你好" in body


def test_console_backend_masks_numbers(capsys):
    sms.ConsoleBackend().send(numbers=["13900000001"], text="你好", key="k2")
    out = capsys.readouterr().out
    assert "139****0001" in out
    assert "13900000001" not in out


def test_a_number_that_is_not_a_mainland_mobile_is_permanent(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path
    with pytest.raises(sms.PermanentSmsError):
        sms.FileBackend().send(numbers=["12345"], text="x", key="k3")
    with pytest.raises(sms.PermanentSmsError):
        sms.FileBackend().send(numbers=[], text="x", key="k3")


def test_unwritable_folder_is_transient(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(sms.TransientSmsError):
        sms.FileBackend(directory=blocker / "sub").send(numbers=["13900000001"], text="x", key="k4")
