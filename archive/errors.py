"""The one exception the archive raises for a problem the user must fix."""


class ArchiveError(Exception):
    """The archive cannot be opened or used; the message says why in one line."""


def no_archive(where: str) -> ArchiveError:
    return ArchiveError(f"no archive at {where} (crawl into it first, or name another with --db)")
