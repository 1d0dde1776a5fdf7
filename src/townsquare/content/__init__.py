"""A city's content as files: the catalogue (agencies, services and forms, contact centre) in TOML and the knowledge
base as Markdown with TOML front matter, imported through each domain's own service functions.

Orchestration: reads files and calls the agencies, routing and knowledge services; never commits itself.
"""
