"""The exceptions the archive raises for a problem the user must fix."""


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message says why in one line."""


class UnreadableValue(ArchiveError, ValueError):
    """A value stored in the archive that its column's type cannot read (text that is not JSON in a JSON column,
    written there by hand or by a damaged disk); ``reason`` is what the reading said. A ``ValueError`` too, as the
    column types' own errors are: ``archive copy`` finds the row and column of any of them."""

    def __init__(self, archive: str, reason: str) -> None:
        super().__init__(
            f"archive {archive}: a value stored as JSON cannot be read as JSON ({reason}); `archive check` lists where, correct it with SQL"
        )
        self.reason = reason


def no_archive(where: str) -> ArchiveError:
    return ArchiveError(f"no archive at {where} (crawl into it first, or name another with --db)")
