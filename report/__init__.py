"""Static HTML report over the warehouse's gold tables (make report)."""
