"""HTTP entry points: the FastAPI app, GraphQL, and (later) REST and tracking."""
