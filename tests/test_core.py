"""The core extension's process-wide parts."""

import gc

import pytest

from politecrawl.config import GC_THRESHOLD, ConfigError, gc_threshold_setting
from politecrawl.middlewares.extensions.lifecycle import (
    freeze_startup_objects,
    restore_gc_threshold,
    set_gc_threshold,
    thaw_startup_objects,
)
from politecrawl.settings_reader import SettingsReader


def test_start_up_objects_stay_frozen_until_the_last_crawl_of_the_process_ends():
    assert gc.get_freeze_count() == 0
    try:
        first = freeze_startup_objects()
        assert first > 1000  # the modules and what they hold
        assert freeze_startup_objects() >= first
        thaw_startup_objects()  # one crawl ended, the other runs on: still frozen
        assert gc.get_freeze_count() >= first
        thaw_startup_objects()
        assert gc.get_freeze_count() == 0  # the last one ended: everything collectable again
        thaw_startup_objects()  # more ends than starts change nothing
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_the_gc_threshold_holds_until_the_last_crawl_of_the_process_ends():
    python = gc.get_threshold()
    try:
        set_gc_threshold(10_000)
        assert gc.get_threshold() == (10_000, *python[1:])  # only the youngest generation's
        set_gc_threshold(10_000)
        restore_gc_threshold()  # one crawl ended, the other runs on
        assert gc.get_threshold()[0] == 10_000
        restore_gc_threshold()
        assert gc.get_threshold() == python  # the last one ended: Python's own again
        restore_gc_threshold()  # more ends than starts change nothing
        assert gc.get_threshold() == python
    finally:
        gc.set_threshold(*python)


def test_the_gc_threshold_setting():
    def read(value):
        return gc_threshold_setting(SettingsReader({"POLITECRAWL_GC_THRESHOLD": value}.get))

    assert read(None) == GC_THRESHOLD == 0  # Python's own unless asked (docs/speed.md: CPU against memory)
    assert read("0") == 0 and read(2000) == 2000
    for bad in ("-1", "1.5", "many", "2000000", True):
        with pytest.raises(ConfigError, match="POLITECRAWL_GC_THRESHOLD"):
            read(bad)
