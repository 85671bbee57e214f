"""Sentences from segmented text: templates (最小熵原理(三)) and the parser that
reads sentence structure with them."""
