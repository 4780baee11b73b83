"""Analysis: static values, call sites, the resolved Request and what the code around it does."""
