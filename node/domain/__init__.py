"""Domain rules as plain functions over plain data.

Records, identifiers, validation, publicity periods, the holiday calendar.
"""
