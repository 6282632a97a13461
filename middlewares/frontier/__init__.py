"""The frontier: the paced priority queue and the shared (Redis) scheduler."""
