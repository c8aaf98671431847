"""The Redis cache keeps one client per connection pool (deqing_hub.cache)."""

from deqing_hub.cache import ResilientRedisCache


def test_cache_operations_share_one_client_and_one_connection(redis_url):
    cache = ResilientRedisCache(redis_url, {"KEY_PREFIX": "cache-client-test"})
    try:
        for value in range(5):
            cache.set("key", value)
            assert cache.get("key") == value
        assert cache.add("lock", 1, 5)
        assert not cache.add("lock", 1, 5)

        # Django built a new redis.Redis for every operation (about 0.1 ms each).
        assert cache._cache.get_client() is cache._cache.get_client(write=True)
    finally:
        cache.delete_many(["key", "lock"])


def test_numbers_are_added_only_where_none_is_held_in_one_round_trip(redis_url, monkeypatch):
    import redis

    cache = ResilientRedisCache(redis_url, {"KEY_PREFIX": "cache-numbers-test"})
    trips = []
    execute = redis.client.Pipeline.execute
    monkeypatch.setattr(
        redis.client.Pipeline, "execute", lambda self, *a: trips.append(1) or execute(self, *a)
    )
    try:
        cache.set("held", 7, None)

        assert cache.add_many({"held": 100, "lost": 200}) == {"held": 7, "lost": 200}
        assert len(trips) == 1
        assert cache.get("lost") == 200
        assert cache._cache.get_client().ttl(cache.make_and_validate_key("lost")) == -1  # kept
        assert cache.add_many({"lost": 300}) == {"lost": 200}  # whoever added first
    finally:
        cache.delete_many(["held", "lost"])


def test_numbers_restart_together_on_any_cache(settings):
    """`read_numbers` on Redis, and on the locmem cache `make run` uses without REDIS_URL."""
    from django.core.cache import cache

    from members.versions import add_numbers, read_numbers

    for backend in (
        settings.CACHES["default"]["BACKEND"],
        "django.core.cache.backends.locmem.LocMemCache",
    ):
        settings.CACHES = {"default": {**settings.CACHES["default"], "BACKEND": backend}}
        cache.delete_many(["n:a", "n:b"])
        cache.set("n:a", 5, None)

        first = read_numbers(["n:a", "n:b"])
        assert first["n:a"] == 5
        assert first["n:b"] > 5  # restarted at the current time
        assert read_numbers(["n:a", "n:b"]) == first
        assert add_numbers({"n:b": 1}) == {"n:b": first["n:b"]}
        cache.delete_many(["n:a", "n:b"])
