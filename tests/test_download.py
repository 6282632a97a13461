"""The download handler and page size limit the add-on installs; what counts as a site's failure."""

from __future__ import annotations

from helpers import addon_settings
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest, StopDownload
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionLost

from politecrawl.middlewares.addon import HANDLERS
from politecrawl.middlewares.downloader.budget import site_failure


def test_the_addon_installs_its_handler_and_a_10_mib_page_limit():
    settings = addon_settings()
    assert settings.getdict("DOWNLOAD_HANDLERS") == HANDLERS
    assert settings.getint("DOWNLOAD_MAXSIZE") == 10 * 1024 * 1024


def test_a_projects_own_handler_and_limit_are_kept():
    settings = addon_settings(DOWNLOAD_HANDLERS={"https": "my.Handler"}, DOWNLOAD_MAXSIZE=123)
    assert settings.getdict("DOWNLOAD_HANDLERS") == {"https": "my.Handler", "http": HANDLERS["http"]}
    assert settings.getint("DOWNLOAD_MAXSIZE") == 123


def test_our_own_refusals_and_cuts_are_not_the_sites_failure():
    for own in (IgnoreRequest("robots"), StopDownload(fail=True), DownloadCancelledError(), CancelledError()):
        assert not site_failure(own), own
    for theirs in (DownloadTimeoutError(), ConnectionLost(), OSError()):
        assert site_failure(theirs), theirs


def test_size_cuts_are_told_from_other_failures():
    from politecrawl.middlewares.downloader.sizecut import is_size_cut

    assert is_size_cut(StopDownload(fail=True))
    assert is_size_cut(DownloadCancelledError("Received 600000 bytes which is larger than download max size (524288) in request <GET x>."))
    assert is_size_cut(IgnoreRequest("Ignored response <200 x> because its body (1 B compressed, 2 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (1 B) during decompression."))
    assert not is_size_cut(DownloadCancelledError())
    assert not is_size_cut(IgnoreRequest("politecrawl: stopped"))
    assert not is_size_cut(DownloadTimeoutError())
