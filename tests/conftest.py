"""Repository-wide pytest setup: make ``tests.support`` importable as a package."""
