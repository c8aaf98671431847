"""A test SMS backend with the interface settings.SMS_BACKEND promises: send(numbers, text, key)."""

OUTBOX: list[dict] = []


class ListBackend:
    def send(self, *, numbers: list[str], text: str, key: str) -> int:
        OUTBOX.append({"numbers": numbers, "text": text, "key": key})
        return len(numbers)


class BrokenBackend:
    def send(self, *, numbers: list[str], text: str, key: str) -> int:
        raise ConnectionError("gateway down")
