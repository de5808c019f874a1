"""The directory layer: models, taxonomy, places, loading, validation and the graph view."""
