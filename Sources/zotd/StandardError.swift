/// Prints a line of the command line's own (a warning, an error) to standard error.
func printToStandardError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

/// Standard error as a `print` target.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.write(string, to: 2)
    }
}
