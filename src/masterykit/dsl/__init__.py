"""The policy language: grammar, parser, syntax tree, formatter and checker."""
