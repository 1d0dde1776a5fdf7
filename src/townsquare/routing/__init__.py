"""The universal queue: work items from every channel, routed the same way."""
