"""Knowledge: models, prices, limits, SDK data and token estimates (data/ holds the files)."""
