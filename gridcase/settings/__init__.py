"""Settings split by environment: base (shared), dev, test, prod.

Pick one with DJANGO_SETTINGS_MODULE; every value that differs between machines comes
from an environment variable (see `base.env_*`).
"""
