"""`claudelint server`: a language server for editors (LSP over stdio; needs pygls).

`session` holds the state and logic and does not import pygls; `lsp` wires it to the
protocol. Nothing below this package imports it.
"""
