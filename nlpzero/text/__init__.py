"""Reading and writing text: the one block reader, atomic output, character classes and
ids, UTF-8 kernels, and the progress protocol every stage reports through."""
