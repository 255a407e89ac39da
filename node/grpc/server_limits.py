"""Limits both ends of a channel agree on."""

from typing import Final

MAX_MESSAGE_BYTES: Final = 64 * 1024 * 1024
