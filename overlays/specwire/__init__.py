"""specwire: one typed, resilient SDK for real-time market APIs.

Provider facades live in ``specwire.projectx``, ``specwire.restless``,
``specwire.therundown`` and ``specwire.sequence``; the shared transport
policies, errors and streaming core in ``specwire.core`` and
``specwire.streaming``. Generated REST clients and stream models are the
separate import package ``specwire_gen``.
"""

__version__ = "0.1.0"
