"""The SHACL gate: shapes (shapes), the fast engine (engine), validation and the gate (validation),
reports a steward can act on (reports) and the steward's checks of uploads and the store (quality)."""
