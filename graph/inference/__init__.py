"""OWL 2 RL synergies: rules compiled from the ontology (rules), their closure (closure), explanations
(explain), the refresh of the inferred graph (refresh) and look-ups over it (lookups)."""
