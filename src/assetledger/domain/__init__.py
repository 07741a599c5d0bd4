"""Pure domain: frozen dataclasses, enums and Decimal money. Imports no database, CLI or Beancount."""
