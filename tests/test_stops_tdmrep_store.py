"""tdmrep.json copies in the state store: kept for their life, shared, never read as more than they say."""

from __future__ import annotations

from politecrawl.state import MemoryStateStore
from politecrawl.stops.tdmrep import TDMRepFile, TDMRepRule, parse_tdmrep_file
from politecrawl.stops.tdmrep_store import load_tdmrep, save_tdmrep, tdmrep_life

ORIGIN = "https://example.org:443"


def test_a_saved_copy_is_read_back_until_it_expires():
    store = MemoryStateStore()
    parsed = parse_tdmrep_file(200, b'[{"location": "/a/*", "tdm-reservation": 1, "tdm-policy": "https://p"},'
                                    b' {"location": "/b", "tdm-reservation": 0}, 3]')
    save_tdmrep(store, ORIGIN, parsed, now=1000.0, life=tdmrep_life(()))
    assert load_tdmrep(store, ORIGIN, 1000.0 + 86_399) == parsed
    assert load_tdmrep(store, ORIGIN, 1000.0 + 86_400) is None
    assert load_tdmrep(store, "https://other.org:443", 1000.0) is None


def test_fail_closed_copies_stay_fail_closed():
    store = MemoryStateStore()
    for status in ("too-large", "malformed"):
        save_tdmrep(store, ORIGIN, TDMRepFile(status), now=0.0, life=60.0)
        loaded = load_tdmrep(store, ORIGIN, 1.0)
        assert loaded is not None and loaded.fail_closed and loaded.reservation("/x") is not None


def test_cache_control_shortens_the_life_but_not_below_a_minute():
    assert tdmrep_life(()) == 86_400
    assert tdmrep_life(["max-age=3600"]) == 3600
    assert tdmrep_life(["max-age=0"]) == 60
    assert tdmrep_life(["no-store"]) == 60
    assert tdmrep_life(["max-age=999999"]) == 86_400


def test_an_unreadable_copy_is_no_copy():
    store = MemoryStateStore()
    for junk in ("", "[]", '{"status": "ok"}', '{"status": "weird", "rules": [], "expires_at": 9e9}',
                 '{"status": "ok", "rules": [[1]], "expires_at": 9e9}'):
        store.set(f"tdmrep:record:{ORIGIN}", junk)
        assert load_tdmrep(store, ORIGIN, 0.0) is None, junk
    rule = TDMRepRule("/x", 1, None)
    save_tdmrep(store, ORIGIN, TDMRepFile("ok", (rule,)), now=0.0, life=10.0)
    assert load_tdmrep(store, ORIGIN, 5.0).rules == (rule,)
