import Foundation

/// External referee tools (hack/install-test-deps.sh installs them) and a process runner.
enum TestTools {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct MissingTool: Error, CustomStringConvertible {
        var name: String
        var expectedAt: String
        var description: String {
            "\(name) is not installed (looked for \(expectedAt)). Run hack/install-test-deps.sh, or the README's test "
                + "command hack/test.sh, which installs every tool the tests need."
        }
    }

    static func pythonTool(_ name: String) throws -> URL {
        let directory =
            ProcessInfo.processInfo.environment["KUBEMAIL_TOOLS_DIR"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".tools")
        let tool = directory.appendingPathComponent("venv/bin/\(name)")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else {
            throw MissingTool(name: name, expectedAt: tool.path)
        }
        return tool
    }

    /// The built `kubemailctl`, next to the test bundle.
    static var kubemailctl: URL {
        Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("kubemailctl")
    }

    struct ProcessResult: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs a program to completion; output goes through files so that no pipe can fill up.
    static func run(_ executable: URL, _ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
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
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try outHandle.close()
        try errHandle.close()
        try inHandle.close()
        return ProcessResult(
            status: status,
            standardOutput: try String(contentsOf: outURL, encoding: .utf8),
            standardError: try String(contentsOf: errURL, encoding: .utf8)
        )
    }
}
