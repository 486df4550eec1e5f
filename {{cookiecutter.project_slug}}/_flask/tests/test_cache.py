"""The cache is a backing service: Redis when REDIS_URL is set (factors IV and VI)."""

import uuid

from {{cookiecutter.project_slug}}.app import create_app
from {{cookiecutter.project_slug}}.extensions import cache


def test_cache_in_process_memory_without_redis(make_settings):
    """Without REDIS_URL each process (here, each app) has a cache of its own."""
    one = create_app(make_settings())
    other = create_app(make_settings())
    with one.app_context():
        cache.set("greeting", "hello")
        assert cache.get("greeting") == "hello"
    with other.app_context():
        assert cache.get("greeting") is None


def test_cache_shared_through_redis(make_settings, redis_url):
    """With REDIS_URL every process sees what another one cached."""
    key = f"test:{uuid.uuid4().hex}"
    one = create_app(make_settings(REDIS_URL=redis_url))
    other = create_app(make_settings(REDIS_URL=redis_url))
    with one.app_context():
        cache.set(key, {"visits": 3}, timeout=60)
    with other.app_context():
        assert cache.get(key) == {"visits": 3}
        cache.delete(key)
