// An empty `Auth` module for the config fuzz build. The config readers `import Auth` for a handful of plain
// value types (AuthConfig, AccessControlConfig, RepositoryAction, RepositoryGlob); run.sh compiles those real
// Auth source files into the fuzz target itself, so this module only has to exist. The rest of Auth (bcrypt,
// JWT, X509, GRDB) is never reached by config reading.
