"""Syntax: parsing, the read-only tree walk and the scope index."""
