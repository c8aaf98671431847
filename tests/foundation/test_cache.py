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
