"""Cycle's GraphQL dialect at ``POST /graphql``."""
