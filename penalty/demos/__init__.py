"""Demo sections run by ``make demo`` (see `penalty.demo`)."""
