"""The services app's zh_Hans catalogue: complete, not fuzzy, same placeholders as English."""

from __future__ import annotations

import re
from pathlib import Path

import polib

import services

PO = Path(services.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")


def test_every_message_is_translated_with_the_same_placeholders():
    catalogue = polib.pofile(str(PO))
    assert not catalogue.fuzzy_entries()
    assert not catalogue.untranslated_entries()
    for entry in catalogue:
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )
