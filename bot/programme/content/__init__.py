"""Conference content: the schema, loading with precise errors, and import/export formats."""
