"""The item processor: personal data removed from every item."""
