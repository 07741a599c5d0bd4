"""The Beancount bridge: the only package that imports beancount and beanquery.

Beancount is the interchange and proof format of the books: an entity's journal renders to a `.beancount` text that
`bean-check` accepts, BQL runs over the same directives in memory, and a simple CNY ledger can be read back.
"""
