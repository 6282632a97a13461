"""What every ``politecrawl`` command shares about mistakes: exit codes, one-line errors, argument types."""

from __future__ import annotations

import argparse
from typing import NoReturn

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "Parser", "UsageError"]

#: Exit codes (README): done; the crawl or its export failed; a usage or settings mistake.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

class UsageError(Exception):
    """A command's argument or setting is wrong: each line is printed, the exit code is 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__("; ".join(lines))
        self.lines = list(lines)


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake as one line (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535; 0 picks a free one)")
    return port


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
        raise argparse.ArgumentTypeError(f"{text!r} is not one of CRITICAL, ERROR, WARNING, INFO, DEBUG")
    return level
