"""Trade decision logic, kept free of I/O so it can be tested on recorded prices and reused in backtests."""

from specwire.projectx.strategy.sma_crossover import (
    Signal,
    SmaCrossover,
    crossover_signals,
    sma_crossover_signal,
    target_position,
)

__all__ = ["Signal", "SmaCrossover", "crossover_signals", "sma_crossover_signal", "target_position"]
