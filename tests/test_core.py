"""The core extension's process-wide parts."""

import gc

from politecrawl.middlewares.extensions.lifecycle import freeze_startup_objects, thaw_startup_objects


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
