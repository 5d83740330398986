"""Tests of the archive crawler: unit tests per module and end-to-end crawls of a fixture site."""
