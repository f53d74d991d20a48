"""The shopping cart: lines kept in the visitor's session, priced from the catalog."""
