"""Word graphs: link-list / Pajek / Infomap file formats, kNN graphs from vectors, the
map equation (the objective) and the Infomap search."""
