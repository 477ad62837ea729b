import Foundation
import KubeMailTestSupport
import Testing

/// Paths and processes for tests that use the repository's files and external referee tools.
enum TestSupport {
    /// The repository root, found from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> URL {
        repositoryRoot.appendingPathComponent(relative)
    }

    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func pythonTool(_ name: String) throws -> URL { try ExternalProcess.pythonTool(name) }

    /// The directory holding the built executables (next to the test bundle).
    static var productsDirectory: URL {
        Bundle.module.bundleURL.deletingLastPathComponent()
    }

    typealias ProcessResult = ExternalProcess.Result

    static func run(_ executable: URL, _ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
        try await ExternalProcess.run(executable, arguments, input: input)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kubemail-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
