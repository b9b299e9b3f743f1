"""Backup and restore of a whole installation: the database and every stored file.

See `services.py` for the guarantees and decision 0017 for the choices.
"""
