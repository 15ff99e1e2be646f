"""Domain: trends, growth, status and series maths, search keys, cursors, API keys. No I/O."""
