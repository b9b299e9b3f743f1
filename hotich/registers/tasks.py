"""Background job handlers of the registers app."""
