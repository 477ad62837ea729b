import Foundation

/// The configuration of a Pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`).
///
/// Fails closed: without the CA there is no way to know the API server is the real one, so no
/// connection is made. The token rotates, so it is read anew for every request (`currentToken()`).
public struct InClusterConfig: Hashable, Sendable {
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public var server: String
    public var certificateAuthorityPath: String
    public var tokenPath: String
    /// The Pod's own namespace (kube-mail's system namespace by default).
    public var namespace: String

    public static func load(
        directory: String = defaultDirectory,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError) -> InClusterConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError(
                "not running in a Pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; pass --kubeconfig"
            )
        }
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        guard FileManager.default.isReadableFile(atPath: caPath) else {
            throw KubeConfigError(
                "the service account CA \(caPath) is missing: refusing to talk to an unverified API server"
            )
        }
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeConfigError("the service account token \(tokenPath) is missing")
        }
        let namespace = FileManager.default.contents(
            atPath: (directory as NSString).appendingPathComponent("namespace")
        )
        .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        // An IPv6 address needs brackets in a URL.
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return InClusterConfig(
            server: "https://\(hostPart):\(port)",
            certificateAuthorityPath: caPath,
            tokenPath: tokenPath,
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        )
    }

    /// The token as it is now; the kubelet rotates the file.
    public func currentToken() throws(KubeConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: tokenPath) else {
            throw KubeConfigError("cannot read the service account token \(tokenPath)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
