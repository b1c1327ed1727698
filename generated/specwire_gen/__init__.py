"""Generated REST clients and stream models. Never edited by hand: run `make generate`."""
