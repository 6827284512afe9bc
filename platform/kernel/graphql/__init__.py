"""GraphQL assembly: one schema from the modules' declared fragments."""
