"""Shared fixtures for the whole test suite; package folders add their own conftest.py."""
