"""What every endpoint under /api/ shares: roles, scoping, errors, pagination, throttling and fields."""
