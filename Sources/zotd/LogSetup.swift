import Config
import Foundation
import Logging
import Registry

/// Logging as `log.level` and `log.output` ask: one line per event, to stdout or a file.
enum LogSetup {
    static func bootstrap(_ config: LogConfig) throws -> Logger {
        if let output = config.output, !output.isEmpty {
            // Redirecting stdout keeps one handler for both cases and catches anything printed.
            let descriptor = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0, dup2(descriptor, STDOUT_FILENO) >= 0 else {
                printToStandardError("error: log.output: cannot open \(output) for appending")
                throw ExitCodeError()
            }
            close(descriptor)
        }
        let level = Logger.Level(config.level)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "zotd")
        logger.logLevel = level
        return logger
    }

    struct ExitCodeError: Error {}
}

extension Logger.Level {
    init(_ level: LogLevel) {
        switch level {
        case .trace: self = .trace
        case .debug: self = .debug
        case .info: self = .info
        case .warning: self = .warning
        case .error: self = .error
        case .critical: self = .critical
        }
    }
}

enum FileHandleWriter {
    static func write(_ string: String, to descriptor: Int32) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            _ = Foundation.write(descriptor, buffer.baseAddress, buffer.count)
        }
    }
}
