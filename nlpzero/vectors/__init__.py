"""Word vectors from segmented text: co-occurrence counts, the simpler-GloVe solvers,
the embedding and its queries, word2vec text I/O and evaluation."""
