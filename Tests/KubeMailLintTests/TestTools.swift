import Foundation
import KubeMailTestSupport

/// The shared process runner and tool lookup, under the names these tests use.
enum TestTools {
    static func pythonTool(_ name: String) throws -> URL { try ExternalProcess.pythonTool(name) }

    static func run(_ executable: URL, _ arguments: [String], input: Data? = nil) async throws -> ExternalProcess.Result
    {
        try await ExternalProcess.run(executable, arguments, input: input)
    }
}
