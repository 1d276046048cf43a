"""The seam between the core and the adapters: messages, the command registry and grammar,
confirmations, awaited input, paging and labels."""
