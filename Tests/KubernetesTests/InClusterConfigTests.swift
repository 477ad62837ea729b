import Foundation
import Kubernetes
import Testing

struct InClusterConfigTests {
    static let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    func serviceAccount(ca: Bool = true) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if ca { try "CA".write(to: directory.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8) }
        try "token-1\n".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "kube-mail".write(to: directory.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func readsTheServiceAccountAndRereadsTheToken() throws {
        let directory = try serviceAccount()
        let config = try InClusterConfig.load(directory: directory.path, environment: Self.environment)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "kube-mail")
        #expect(try config.currentToken() == "token-1")
        try "token-2".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        #expect(try config.currentToken() == "token-2", "a rotated token is picked up")
    }

    @Test func failsClosedWithoutTheCA() throws {
        let directory = try serviceAccount(ca: false)
        do {
            _ = try InClusterConfig.load(directory: directory.path, environment: Self.environment)
            Issue.record("loaded an in-cluster configuration without a CA")
        } catch {
            #expect(error.description.contains("refusing to talk to an unverified API server"))
        }
    }

    @Test func outsideAPodSaysWhatToDo() throws {
        let directory = try serviceAccount()
        #expect(throws: KubeConfigError.self) { try InClusterConfig.load(directory: directory.path, environment: [:]) }
        let ipv6 = try InClusterConfig.load(
            directory: directory.path,
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        )
        #expect(ipv6.server == "https://[fd00::1]:443")
    }
}
