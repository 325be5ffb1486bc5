// An empty `Crypto` module for the fuzz build: the parsers under test only import it (hashing is
// replaced by Stubs/ContentHasher.swift, which the parsers never reach while parsing).
