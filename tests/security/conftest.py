"""The web tests' small county (tests/web/conftest.py) serves the security tests too."""

from tests.web.conftest import app, county

__all__ = ["app", "county"]
