import Foundation

/// Runs the programs tests use as referees and peers (check-jsonschema, sarif-tools, swaks,
/// smtp-source, kubemailctl itself), and finds them. Only test targets depend on this module.
public enum ExternalProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// A tool is missing. Tests never skip for that: they fail with how to install it.
    public struct MissingTool: Error, CustomStringConvertible {
        public var name: String
        public var lookedAt: [String]
        public var description: String {
            "\(name) is not installed (looked at \(lookedAt.joined(separator: ", "))). Run hack/install-test-deps.sh, "
                + "or the README's test command hack/test.sh, which installs every tool the tests need."
        }
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public var command: String
        public var description: String { "\(command) did not finish in time" }
    }

    /// The repository root (this file is Sources/KubeMailTestSupport/ExternalProcess.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A tool of the test venv (`$KUBEMAIL_TOOLS_DIR/venv/bin`, by default `.tools/venv/bin`).
    public static func pythonTool(_ name: String) throws -> URL {
        let directory =
            ProcessInfo.processInfo.environment["KUBEMAIL_TOOLS_DIR"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".tools")
        let tool = directory.appendingPathComponent("venv/bin/\(name)")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else {
            throw MissingTool(name: name, lookedAt: [tool.path])
        }
        return tool
    }

    /// A Debian package's program (`/usr/bin`, `/usr/sbin`).
    public static func systemTool(_ name: String) throws -> URL {
        let candidates = ["/usr/bin/\(name)", "/usr/sbin/\(name)", "/usr/local/bin/\(name)"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw MissingTool(name: name, lookedAt: candidates)
        }
        return URL(fileURLWithPath: path)
    }

    /// Runs a program to completion, killing it after `timeout`. Output goes through files, so
    /// that a chatty program cannot block on a full pipe.
    public static func run(
        _ executable: URL,
        _ arguments: [String],
        input: Data? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kubemail-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
            try? inHandle.close()
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        let command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        let status: Int32 = try await withThrowingTaskGroup(of: Int32.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                    do {
                        try process.run()
                    } catch {
                        process.terminationHandler = nil
                        continuation.resume(throwing: error)
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                process.terminate()
                throw TimedOut(command: command)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        return Result(
            status: status,
            standardOutput: try String(contentsOf: outURL, encoding: .utf8),
            standardError: try String(contentsOf: errURL, encoding: .utf8)
        )
    }
}
