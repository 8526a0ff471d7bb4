"""The reporting cycle: the reporting calendar, period-bound status reports and their snapshots."""
