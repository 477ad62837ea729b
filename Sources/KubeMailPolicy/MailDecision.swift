import KubeMailAPI

/// The sending Pod, as the relay identified it (or as `simulate` describes it).
public struct PodIdentity: Hashable, Sendable {
    public var namespace: String
    public var name: String?
    public var labels: [String: String]
    public var hostNetwork: Bool
    /// The Pod's phase, when known.
    public var phase: String?

    public init(
        namespace: String,
        name: String? = nil,
        labels: [String: String],
        hostNetwork: Bool = false,
        phase: String? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.labels = labels
        self.hostNetwork = hostNetwork
        self.phase = phase
    }

    public init(_ pod: CoreV1.Pod, defaultNamespace: String = "default") {
        self.init(
            namespace: pod.metadata.namespace ?? defaultNamespace,
            name: pod.metadata.name,
            labels: pod.metadata.labels ?? [:],
            hostNetwork: pod.usesHostNetwork,
            phase: pod.status?.phase
        )
    }

    /// `namespace/name`, or the namespace alone for a Pod described by labels.
    public var displayName: String { name.map { "\(namespace)/\($0)" } ?? "a Pod in namespace \(namespace)" }
}

/// What the relay does with mail from a Pod: deliver it according to a plan, or refuse it.
public enum MailDecision: Hashable, Sendable {
    case deliver(DeliveryPlan)
    case refuse(PolicyRefusal)
}

extension PolicyRefusal {
    /// The reply that replaces the greeting of a refused connection (RFC 5321 §3.1).
    public var smtpReply: String { "554 5.7.1 \(message)" }

    public static func hostNetwork(_ pod: PodIdentity) -> PolicyRefusal {
        PolicyRefusal(
            reason: "HostNetworkPod",
            message: "Pod \(pod.displayName) uses the host's network, so its IP does not identify it; "
                + "hostNetwork Pods cannot send mail through kube-mail"
        )
    }

    public static func notRunning(_ pod: PodIdentity) -> PolicyRefusal {
        PolicyRefusal(
            reason: "PodNotRunning",
            message:
                "Pod \(pod.displayName) is \(pod.phase ?? "not running"); only Running and Pending Pods may send mail"
        )
    }
}

extension PolicyResolver {
    /// The relay's decision for a Pod: its policy and the policy's resolved sink, or a refusal.
    public func decide(for pod: PodIdentity, inventory: some PolicyInventory) -> MailDecision {
        if pod.hostNetwork { return .refuse(.hostNetwork(pod)) }
        if let phase = pod.phase, phase != "Running" && phase != "Pending" { return .refuse(.notRunning(pod)) }
        guard let policy = policy(forPodIn: pod.namespace, labels: pod.labels, inventory: inventory) else {
            return .refuse(.noPolicy(namespace: pod.namespace, pod: pod.name))
        }
        switch DeliveryPlan.resolve(policy, in: inventory) {
        case .success(let plan): return .deliver(plan)
        case .failure(let refusal): return .refuse(refusal)
        }
    }
}
