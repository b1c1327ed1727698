"""specwire's code generator: specs/ -> generated/specwire_gen/.

Run as ``python -m generator [provider ...]`` (``make generate``) or
``python -m generator --check`` (``make check-generated``).
"""
