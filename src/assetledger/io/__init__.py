"""Tabular input and output: CSV/XLSX with Chinese or English headers, tables, JSON and Excel out."""
