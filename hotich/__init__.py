"""Hộ tịch số: digitise Vietnam's paper civil-status registers and manage the data."""

__version__ = "0.1.0"
