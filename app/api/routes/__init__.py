"""The routers: one module per family of operations, thin over the services."""
