"""Errors a user can cause. Each ends the CLI with one line on stderr and a non-zero status."""
from __future__ import annotations


class DangjianError(Exception):
    """Bad data or a runtime failure the user can fix (exit status 1)."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = self.message if not self.hint else f"{self.message}; {self.hint}"
        return " ".join(text.split())


class UsageError(DangjianError):
    """Bad options or arguments (exit status 2)."""

    exit_code = 2


class InputError(DangjianError):
    """A file that cannot be read, decoded or parsed (exit status 1)."""

    def __init__(self, path: str, message: str, hint: str | None = None, lines_read: int = 0) -> None:
        self.path = path
        # Rows before the failure that were read (and used) already: a skipped file is then only skipped in part.
        self.lines_read = lines_read
        super().__init__(f"{path}: {message}", hint)

    def skipped(self) -> str:
        """The warning when ``--skip-errors`` skips what this error is about: the message without the hint (which
        advises that option), and whether lines before it were used."""
        return f"{' '.join(self.message.split())}; {'the rest of it skipped' if self.lines_read else 'skipped'}"

    def __reduce__(self) -> tuple[object, tuple[str, str, str | None, int]]:
        # Raised in a worker process and raised again in the main one: pickled with its own fields.
        return _input_error, (self.path, self.message, self.hint, self.lines_read)


def _input_error(path: str, message: str, hint: str | None, lines_read: int = 0) -> InputError:
    error = InputError.__new__(InputError)
    error.path = path
    error.lines_read = lines_read
    DangjianError.__init__(error, message, hint)
    return error


class EmptyCorpusError(DangjianError):
    """The inputs held no document with text."""

    def __init__(self, message: str = "no documents with text in the input",
                 hint: str | None = "check the paths, --glob and --text-field") -> None:
        super().__init__(message, hint)


class DangjianWarning(UserWarning):
    """What the library warns about when no ``warn`` callback was given (rows skipped, files skipped under
    ``skip_errors``): Python's ``warnings`` machinery, so that a script can filter, log or raise them."""
