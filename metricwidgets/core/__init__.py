"""The core: definitions, parsing, store and view maths. Imports no widget or AWS code."""
