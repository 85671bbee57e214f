"""Words from raw text: n-gram counts, the lexicon, minimum-entropy discovery,
unigram segmentation and SIGHAN scoring."""
