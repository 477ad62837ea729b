import KubeMailAPI

/// Where mail of a policy goes, with every reference resolved.
public struct DeliveryPlan: Hashable, Sendable {
    public enum Sink: Hashable, Sendable {
        case smtp(server: SMTPServer, credentials: Credentials?)
        case catchStore(retention: GoDuration)
        case discard
    }

    /// The username and password of a credentials Secret.
    public struct Credentials: Hashable, Sendable, CustomStringConvertible {
        public var secretNamespace: String
        public var secretName: String
        public var username: String
        public var password: String

        /// Never shows the password: plans end up in logs and error messages.
        public var description: String { "Secret \(secretNamespace)/\(secretName) (user \(username))" }
    }

    public var policy: EmailPolicy
    public var sink: Sink
    public var rateLimit: EmailPolicy.RateLimiting?
}

/// Why a policy cannot deliver. `reason` is a condition reason (`SecretNotFound`); `message` the
/// sentence the relay answers with (`554 5.7.1 <message>`) and the operator writes in conditions.
public struct PolicyRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public var message: String
    /// The problem without naming the policy, for reports that already show it.
    public var detail: String

    public init(reason: String, message: String, detail: String? = nil) {
        self.reason = reason
        self.message = message
        self.detail = detail ?? message
    }

    public var description: String { "\(reason): \(message)" }

    public static func noPolicy(namespace: String, pod: String?) -> PolicyRefusal {
        PolicyRefusal(
            reason: "NoPolicy",
            message: "no EmailPolicy in namespace \(namespace) selects \(pod.map { "Pod \($0)" } ?? "this Pod"), "
                + "and there is no default policy"
        )
    }
}

extension DeliveryPlan {
    /// Resolves a policy's references: the SMTPServer, the credentials Secret and its keys, and
    /// whether the policy's namespace may use them.
    public static func resolve(
        _ policy: EmailPolicy,
        in inventory: some PolicyInventory
    ) -> Result<DeliveryPlan, PolicyRefusal> {
        if let problem = policy.validateSpec().first {
            return .failure(
                PolicyRefusal(
                    reason: "PolicyInvalid",
                    message: "EmailPolicy \(policy.qualifiedName) is invalid: \(problem)"
                )
            )
        }
        let sink: Sink
        if policy.spec.sink.smtp != nil {
            do {
                guard let server = try resolveServer(of: policy, in: inventory).get() else {
                    return .failure(.noSink(policy))
                }
                sink = .smtp(server: server, credentials: try resolveCredentials(of: policy, in: inventory).get())
            } catch {
                return .failure(error)
            }
        } else if let store = policy.spec.sink.catchStore {
            sink = .catchStore(retention: store.effectiveRetention)
        } else {
            sink = .discard
        }
        return .success(DeliveryPlan(policy: policy, sink: sink, rateLimit: policy.spec.rateLimiting?.defaulted()))
    }

    /// The SMTPServer of a policy's smtp sink (nil without one). Refused when it does not exist,
    /// is invalid, or its `allowedNamespaces` excludes the policy's namespace. A namespace whose
    /// labels the inventory does not know is not refused: the check needs its labels.
    public static func resolveServer(
        of policy: EmailPolicy,
        in inventory: some PolicyInventory
    ) -> Result<SMTPServer?, PolicyRefusal> {
        guard let smtp = policy.spec.sink.smtp else { return .success(nil) }
        let namespace = policy.metadata.namespace ?? "default"
        let serverNamespace = smtp.server.resolvedNamespace(from: namespace)
        guard let server = inventory.server(named: smtp.server.name, namespace: serverNamespace) else {
            return .failure(
                policy.refusal("ServerNotFound", "SMTPServer \(serverNamespace)/\(smtp.server.name) not found")
            )
        }
        if let problem = server.validateSpec().first {
            return .failure(
                policy.refusal("ServerNotAccepted", "SMTPServer \(server.qualifiedName) is invalid: \(problem)")
            )
        }
        if let allowed = server.spec.allowedNamespaces, let labels = inventory.namespaceLabels(namespace),
            !allowed.matches(labels)
        {
            return .failure(
                policy.refusal(
                    "RefNotPermitted",
                    "SMTPServer \(server.qualifiedName) does not allow policies of namespace \(namespace) "
                        + "(spec.allowedNamespaces)"
                )
            )
        }
        return .success(server)
    }

    /// The credentials of a policy's smtp sink (nil when it has none). Refused when the Secret
    /// does not exist, may not be used from the policy's namespace, or lacks a key.
    public static func resolveCredentials(
        of policy: EmailPolicy,
        in inventory: some PolicyInventory
    ) -> Result<Credentials?, PolicyRefusal> {
        guard let reference = policy.spec.sink.smtp?.credentials else { return .success(nil) }
        let policyNamespace = policy.metadata.namespace ?? "default"
        let secretNamespace = reference.resolvedNamespace(from: policyNamespace)
        let secretName = "\(secretNamespace)/\(reference.name)"
        guard let secret = inventory.secret(named: reference.name, namespace: secretNamespace) else {
            return .failure(policy.refusal("SecretNotFound", "Secret \(secretName) not found"))
        }
        guard secret.permitsUse(fromNamespace: policyNamespace) else {
            return .failure(
                policy.refusal(
                    "RefNotPermitted",
                    "Secret \(secretName) may not be used from namespace \(policyNamespace): its annotation "
                        + "\(KubeMailGroup.allowedNamespacesAnnotation) must list it"
                )
            )
        }
        let missing = ["username", "password"].filter { secret.string(forKey: $0) == nil }
        guard missing.isEmpty, let username = secret.string(forKey: "username"),
            let password = secret.string(forKey: "password")
        else {
            return .failure(
                policy.refusal(
                    "SecretKeyMissing",
                    "Secret \(secretName) has no key " + missing.map { "\"\($0)\"" }.joined(separator: " or ")
                )
            )
        }
        return .success(
            Credentials(
                secretNamespace: secretNamespace,
                secretName: reference.name,
                username: username,
                password: password
            )
        )
    }
}

extension PolicyRefusal {
    static func noSink(_ policy: EmailPolicy) -> PolicyRefusal {
        policy.refusal("PolicyInvalid", "it has no sink")
    }
}

extension EmailPolicy {
    /// A refusal because of this policy's references. `detail` alone is what lint shows.
    fileprivate func refusal(_ reason: String, _ detail: String) -> PolicyRefusal {
        PolicyRefusal(reason: reason, message: "EmailPolicy \(qualifiedName) is not ready: \(detail)", detail: detail)
    }
}
