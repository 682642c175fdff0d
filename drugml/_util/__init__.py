"""Private helpers every layer may use: file I/O, the parallel helper, lazy submodules.

Nothing here imports any other part of drugml except :mod:`drugml.errors`.
"""
