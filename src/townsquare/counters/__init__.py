"""Service counters: walk-in tickets, the line at each office, calling the next person to a counter, and the
measured times (wait, walk-up, service, hold) that give the estimated wait and its accuracy."""
