import Foundation

/// The few built-in Kubernetes kinds kube-mail reads, with only the fields it uses: the relay
/// keeps thousands of Pods in memory, and manifests mix these kinds with kube-mail's own.
public enum CoreV1 {
    /// A Pod: who is sending, identified by its IP and labels.
    public struct Pod: Codable, Hashable, Sendable {
        public var metadata: ObjectMeta
        public var spec: Spec?
        public var status: Status?

        public struct Spec: Codable, Hashable, Sendable {
            public var hostNetwork: Bool?
            public var nodeName: String?

            public init(hostNetwork: Bool? = nil, nodeName: String? = nil) {
                self.hostNetwork = hostNetwork
                self.nodeName = nodeName
            }
        }

        public struct Status: Codable, Hashable, Sendable {
            public var phase: String?
            public var podIP: String?
            public var podIPs: [PodIP]?

            public init(phase: String? = nil, podIP: String? = nil, podIPs: [PodIP]? = nil) {
                self.phase = phase
                self.podIP = podIP
                self.podIPs = podIPs
            }
        }

        public struct PodIP: Codable, Hashable, Sendable {
            public var ip: String

            public init(ip: String) { self.ip = ip }
        }

        public init(metadata: ObjectMeta, spec: Spec? = nil, status: Status? = nil) {
            self.metadata = metadata
            self.spec = spec
            self.status = status
        }

        /// Every IP of the Pod (`status.podIPs`, falling back to `status.podIP`).
        public var ips: [String] {
            let listed = status?.podIPs?.map(\.ip) ?? []
            return listed.isEmpty ? (status?.podIP).map { [$0] } ?? [] : listed
        }

        public var usesHostNetwork: Bool { spec?.hostNetwork ?? false }

        /// Only Running and Pending Pods can send mail; others have given up their IP.
        public var isActive: Bool {
            guard let phase = status?.phase else { return true }
            return phase == "Running" || phase == "Pending"
        }
    }

    /// A Secret: credentials of an upstream SMTP server.
    public struct Secret: Codable, Hashable, Sendable {
        public var metadata: ObjectMeta
        public var type: String?
        /// Base64-encoded values, as the API returns them.
        public var data: [String: String]?
        /// Plain values, as manifests may write them (the API server folds them into `data`).
        public var stringData: [String: String]?

        public init(
            metadata: ObjectMeta,
            type: String? = nil,
            data: [String: String]? = nil,
            stringData: [String: String]? = nil
        ) {
            self.metadata = metadata
            self.type = type
            self.data = data
            self.stringData = stringData
        }

        /// The keys the Secret holds, from `data` and `stringData`.
        public var keys: Set<String> {
            Set((data ?? [:]).keys).union((stringData ?? [:]).keys)
        }

        /// The value of a key as text (`stringData` wins, as on the API server), or nil.
        public func string(forKey key: String) -> String? {
            if let value = stringData?[key] { return value }
            guard let encoded = data?[key], let bytes = Data(base64Encoded: encoded) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Whether a policy of `namespace` may use this Secret: always from its own namespace,
        /// from others only when the `allowed-namespaces` annotation lists them (or `*`).
        public func permitsUse(fromNamespace namespace: String) -> Bool {
            if namespace == (metadata.namespace ?? "default") { return true }
            let listed = metadata.annotations?[KubeMailGroup.allowedNamespacesAnnotation] ?? ""
            return listed.split(separator: ",").contains { entry in
                let trimmed = entry.trimmingCharacters(in: .whitespaces)
                return trimmed == "*" || trimmed == namespace
            }
        }
    }

    /// A Namespace: its labels decide which SMTPServers its policies may use.
    public struct Namespace: Codable, Hashable, Sendable {
        public var metadata: ObjectMeta

        public init(metadata: ObjectMeta) { self.metadata = metadata }
    }
}
