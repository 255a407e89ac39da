"""Domain rules as plain functions over plain data: records, identifiers, validation, publicity periods."""
