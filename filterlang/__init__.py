"""filterlang: a readable filter language for the UserFilterNode API (placeholder, being built)."""
