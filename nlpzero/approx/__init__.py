"""Mitchell's approximate arithmetic: multiplication by adding the bit patterns of
floats (logarithms), its corrected variants, and top-k ranking built on it."""
