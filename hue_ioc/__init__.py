"""Hue IOC: shared configuration and the `hue-ioc` command line."""
