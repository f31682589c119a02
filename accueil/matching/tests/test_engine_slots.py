"""The engine keeps its own copy of the weekly slots (it may not import Django); this keeps the
copy equal to the taxonomy the forms and the database use."""

from accueil.core import taxonomy
from accueil.matching import engine


def test_engine_slots_are_the_taxonomy_slots():
    assert list(engine.SLOTS) == list(taxonomy.SLOTS)


def test_slot_bits_agree():
    for bit, slot in enumerate(engine.SLOTS):
        assert taxonomy.slots_to_mask([slot]) == 1 << bit
