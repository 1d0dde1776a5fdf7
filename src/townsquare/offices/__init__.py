"""Service offices: the places residents walk into, the counters there and the services each office offers."""
