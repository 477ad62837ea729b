/// A relay Deployment managed by the operator: the Pods that accept mail on `kube-mail.<ns>.svc`.
public struct MailRelay: KubeMailResource {
    public var apiVersion = KubeMailGroup.apiVersion
    public var kind = Self.names.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec = Spec(), status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public static let defaultSpec: Spec? = Spec()

    public enum LogLevel: String, ManifestEnum {
        case debug, info, warning, error
    }

    public enum ServiceType: String, ManifestEnum {
        case clusterIP = "ClusterIP"
        case nodePort = "NodePort"
        case loadBalancer = "LoadBalancer"
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var replicas: Int?
        /// Absent: the operator's own image, so relay and operator stay on one version.
        public var image: String?
        public var resources: ResourceRequirements?
        public var podTemplate: PodTemplateOverrides?
        public var service: RelayService?
        public var tls: RelayTLS?
        public var logLevel: LogLevel?
        public var networkPolicy: RelayNetworkPolicy?

        public static let defaultReplicas = 2

        public init(
            replicas: Int? = nil,
            image: String? = nil,
            resources: ResourceRequirements? = nil,
            podTemplate: PodTemplateOverrides? = nil,
            service: RelayService? = nil,
            tls: RelayTLS? = nil,
            logLevel: LogLevel? = nil,
            networkPolicy: RelayNetworkPolicy? = nil
        ) {
            self.replicas = replicas
            self.image = image
            self.resources = resources
            self.podTemplate = podTemplate
            self.service = service
            self.tls = tls
            self.logLevel = logLevel
            self.networkPolicy = networkPolicy
        }

        public var effectiveReplicas: Int { replicas ?? Self.defaultReplicas }
        public var effectiveLogLevel: LogLevel { logLevel ?? .info }

        /// The spec with every default written out.
        public func defaulted() -> Spec {
            var copy = self
            copy.replicas = effectiveReplicas
            copy.logLevel = effectiveLogLevel
            let service = service ?? RelayService()
            copy.service = RelayService(type: service.effectiveType, port: service.effectivePort)
            let networkPolicy = networkPolicy ?? RelayNetworkPolicy()
            copy.networkPolicy = RelayNetworkPolicy(
                enabled: networkPolicy.effectiveEnabled,
                allowedNamespaceSelector: networkPolicy.allowedNamespaceSelector
            )
            return copy
        }
    }

    /// Compute resources of the relay container (`corev1.ResourceRequirements`).
    public struct ResourceRequirements: Codable, Hashable, Sendable {
        public var limits: [String: Quantity]?
        public var requests: [String: Quantity]?

        public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
            self.limits = limits
            self.requests = requests
        }
    }

    /// What the relay Pods take over from the admin: scheduling and metadata.
    public struct PodTemplateOverrides: Codable, Hashable, Sendable {
        public var labels: [String: String]?
        public var annotations: [String: String]?
        public var nodeSelector: [String: String]?
        public var tolerations: [Toleration]?
        /// A `corev1.Affinity`, passed to the Deployment as written.
        public var affinity: JSONValue?

        public init(
            labels: [String: String]? = nil,
            annotations: [String: String]? = nil,
            nodeSelector: [String: String]? = nil,
            tolerations: [Toleration]? = nil,
            affinity: JSONValue? = nil
        ) {
            self.labels = labels
            self.annotations = annotations
            self.nodeSelector = nodeSelector
            self.tolerations = tolerations
            self.affinity = affinity
        }
    }

    /// `corev1.Toleration`.
    public struct Toleration: Codable, Hashable, Sendable {
        public enum Operator: String, ManifestEnum {
            case exists = "Exists"
            case equal = "Equal"
        }

        public enum Effect: String, ManifestEnum {
            case noSchedule = "NoSchedule"
            case preferNoSchedule = "PreferNoSchedule"
            case noExecute = "NoExecute"
        }

        public var key: String?
        public var `operator`: Operator?
        public var value: String?
        public var effect: Effect?
        public var tolerationSeconds: Int64?

        public init(
            key: String? = nil,
            operator: Operator? = nil,
            value: String? = nil,
            effect: Effect? = nil,
            tolerationSeconds: Int64? = nil
        ) {
            self.key = key
            self.operator = `operator`
            self.value = value
            self.effect = effect
            self.tolerationSeconds = tolerationSeconds
        }
    }

    /// The Service in front of the relay Pods.
    public struct RelayService: Codable, Hashable, Sendable {
        public var type: ServiceType?
        public var port: Int?

        public static let defaultPort = 25

        public init(type: ServiceType? = nil, port: Int? = nil) {
            self.type = type
            self.port = port
        }

        public var effectiveType: ServiceType { type ?? .clusterIP }
        public var effectivePort: Int { port ?? Self.defaultPort }
    }

    /// The certificate the relay offers with STARTTLS.
    public struct RelayTLS: Codable, Hashable, Sendable {
        public var secretName: String

        public init(secretName: String) {
            self.secretName = secretName
        }
    }

    /// An optional NetworkPolicy that admits SMTP only from chosen namespaces.
    public struct RelayNetworkPolicy: Codable, Hashable, Sendable {
        public var enabled: Bool?
        public var allowedNamespaceSelector: LabelSelector?

        public init(enabled: Bool? = nil, allowedNamespaceSelector: LabelSelector? = nil) {
            self.enabled = enabled
            self.allowedNamespaceSelector = allowedNamespaceSelector
        }

        public var effectiveEnabled: Bool { enabled ?? false }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var observedGeneration: Int64?
        public var conditions: [Condition]?
        public var replicas: Int?
        public var readyReplicas: Int?
        public var updatedReplicas: Int?
        /// The DNS name Pods send mail to, such as `kube-mail.kube-mail.svc`.
        public var endpoint: String?

        public init(
            observedGeneration: Int64? = nil,
            conditions: [Condition]? = nil,
            replicas: Int? = nil,
            readyReplicas: Int? = nil,
            updatedReplicas: Int? = nil,
            endpoint: String? = nil
        ) {
            self.observedGeneration = observedGeneration
            self.conditions = conditions
            self.replicas = replicas
            self.readyReplicas = readyReplicas
            self.updatedReplicas = updatedReplicas
            self.endpoint = endpoint
        }
    }

    public static let names = ResourceNames(
        kind: "MailRelay",
        plural: "mailrelays",
        singular: "mailrelay",
        shortNames: ["mailrelay"]
    )

    public static let summary =
        "MailRelay is a kube-mail relay Deployment managed by the operator: the Pods that accept mail from other Pods "
        + "without credentials, together with their Service, ServiceAccount, PodDisruptionBudget and optional "
        + "NetworkPolicy."

    public static let printerColumns = [
        PrinterColumn("Replicas", type: "integer", jsonPath: ".spec.replicas", description: "Desired relay Pods."),
        PrinterColumn("Ready", type: "integer", jsonPath: ".status.readyReplicas", description: "Relay Pods ready."),
        PrinterColumn.condition("Available", "Whether the relay accepts mail."),
        PrinterColumn("Endpoint", type: "string", jsonPath: ".status.endpoint", description: "Where Pods send mail."),
        PrinterColumn.age,
    ]

    public func validateSpec() -> [FieldError] {
        let path: FieldPath = "spec"
        var errors: [FieldError] = []
        if let replicas = spec.replicas, !(0...1000).contains(replicas) {
            errors.append(.invalid(path.child("replicas"), replicas, "must be between 0 and 1000, inclusive"))
        }
        if let image = spec.image, image.isEmpty || image.contains(where: \.isWhitespace) {
            errors.append(.invalid(path.child("image"), image, "must be a container image reference without spaces"))
        }
        for (field, quantities) in [("limits", spec.resources?.limits), ("requests", spec.resources?.requests)] {
            for (name, quantity) in (quantities ?? [:]).sorted(by: { $0.key < $1.key }) where !quantity.isValid {
                errors.append(
                    .invalid(
                        path.child("resources").child(field).key(name),
                        quantity.description,
                        "must be a quantity such as 100m, 128Mi or 2"
                    )
                )
            }
        }
        if let template = spec.podTemplate {
            let templatePath = path.child("podTemplate")
            errors += ObjectMeta(labels: template.labels, annotations: template.annotations)
                .validate(at: templatePath, requireName: false)
            for (key, value) in (template.nodeSelector ?? [:]).sorted(by: { $0.key < $1.key }) {
                errors += NameValidation.qualifiedName(key).map {
                    .invalid(templatePath.child("nodeSelector"), key, $0)
                }
                errors += NameValidation.labelValue(value).map {
                    .invalid(templatePath.child("nodeSelector").key(key), value, $0)
                }
            }
            for (index, toleration) in (template.tolerations ?? []).enumerated() {
                let tolerationPath = templatePath.child("tolerations").index(index)
                if toleration.operator == .exists, let value = toleration.value, !value.isEmpty {
                    errors.append(
                        .invalid(tolerationPath.child("value"), value, "must be empty when `operator` is 'Exists'")
                    )
                }
                if (toleration.key ?? "").isEmpty && toleration.operator != .exists {
                    errors.append(
                        .invalid(
                            tolerationPath.child("operator"),
                            toleration.operator?.rawValue ?? "Equal",
                            "must be 'Exists' when `key` is empty"
                        )
                    )
                }
            }
        }
        if let port = spec.service?.port, !(1...65535).contains(port) {
            errors.append(.invalid(path.child("service").child("port"), port, "must be between 1 and 65535, inclusive"))
        }
        if let secretName = spec.tls?.secretName {
            errors += NameValidation.dnsSubdomain(secretName).map {
                .invalid(path.child("tls").child("secretName"), secretName, $0)
            }
        }
        if let selector = spec.networkPolicy?.allowedNamespaceSelector {
            errors += selector.validate(at: path.child("networkPolicy").child("allowedNamespaceSelector"))
        }
        return errors
    }
}

extension MailRelay.Spec: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case replicas, image, resources, podTemplate, service, tls, logLevel, networkPolicy
    }

    public static let schema = JSONSchema.object(
        "The relay Deployment's settings. Every field has a default.",
        keys: CodingKeys.self
    ) {
        switch $0 {
        case .replicas:
            .integer(
                "Number of relay Pods. With more than one, a PodDisruptionBudget keeps one available.",
                minimum: 0,
                maximum: 1000,
                format: "int32",
                default: MailRelay.Spec.defaultReplicas
            )
        case .image:
            .string("The relay container image. Defaults to the operator's own image.", minLength: 1)
        case .resources:
            .ref(MailRelay.ResourceRequirements.self, "Compute resources of the relay container.")
        case .podTemplate:
            .ref(MailRelay.PodTemplateOverrides.self, "Labels, annotations and scheduling of the relay Pods.")
        case .service: .ref(MailRelay.RelayService.self, "The Service in front of the relay Pods.")
        case .tls: .ref(MailRelay.RelayTLS.self, "The certificate offered to clients with STARTTLS.")
        case .logLevel: .enumeration(MailRelay.LogLevel.self, "The relay's log level.", default: .info)
        case .networkPolicy:
            .ref(MailRelay.RelayNetworkPolicy.self, "A NetworkPolicy that admits SMTP only from chosen namespaces.")
        }
    }
}

extension MailRelay.ResourceRequirements: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case limits, requests
    }

    public static let schema = JSONSchema.object("Compute resource requirements.", keys: CodingKeys.self) {
        switch $0 {
        case .limits:
            .map("The maximum amount of compute resources allowed.", values: .quantity("A resource quantity."))
        case .requests:
            .map("The minimum amount of compute resources required.", values: .quantity("A resource quantity."))
        }
    }
}

extension MailRelay.PodTemplateOverrides: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case labels, annotations, nodeSelector, tolerations, affinity
    }

    public static let schema = JSONSchema.object("Overrides for the relay Pod template.", keys: CodingKeys.self) {
        switch $0 {
        case .labels: .map("Extra labels of the relay Pods.", values: JSONSchema(type: .string))
        case .annotations: .map("Extra annotations of the relay Pods.", values: JSONSchema(type: .string))
        case .nodeSelector:
            .map("Node labels the relay Pods must be scheduled onto.", values: JSONSchema(type: .string))
        case .tolerations:
            .array(
                "Tolerations of the relay Pods.",
                of: .ref(MailRelay.Toleration.self, "A toleration of a node taint."),
                listType: "atomic"
            )
        case .affinity: .preservingUnknownFields("Affinity of the relay Pods (a core/v1 Affinity).")
        }
    }
}

extension MailRelay.Toleration: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case key, `operator`, value, effect, tolerationSeconds
    }

    public static let schema = JSONSchema.object("Tolerates the taints that match.", keys: CodingKeys.self) {
        switch $0 {
        case .key: .string("The taint key; empty matches all keys (with operator Exists).")
        case .operator: .enumeration(Operator.self, "Exists or Equal (the default).")
        case .value: .string("The taint value to match with operator Equal.")
        case .effect: .enumeration(Effect.self, "The taint effect to match; empty matches all effects.")
        case .tolerationSeconds:
            .integer("How long a NoExecute taint is tolerated.", format: "int64")
        }
    }
}

extension MailRelay.RelayService: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, port
    }

    public static let schema = JSONSchema.object("The relay's Service.", keys: CodingKeys.self) {
        switch $0 {
        case .type: .enumeration(MailRelay.ServiceType.self, "The Service type.", default: .clusterIP)
        case .port:
            .integer(
                "The SMTP port of the Service.",
                minimum: 1,
                maximum: 65535,
                format: "int32",
                default: MailRelay.RelayService.defaultPort
            )
        }
    }
}

extension MailRelay.RelayTLS: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case secretName
    }

    public static let schema = JSONSchema.object(
        "Inbound TLS.",
        keys: CodingKeys.self,
        required: [.secretName]
    ) {
        switch $0 {
        case .secretName:
            .string(
                "A kubernetes.io/tls Secret in the MailRelay's namespace. A change of its content rolls the relay.",
                minLength: 1,
                maxLength: 253
            )
        }
    }
}

extension MailRelay.RelayNetworkPolicy: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, allowedNamespaceSelector
    }

    public static let schema = JSONSchema.object("The relay's NetworkPolicy.", keys: CodingKeys.self) {
        switch $0 {
        case .enabled: .boolean("Create a NetworkPolicy for the relay Pods.", default: false)
        case .allowedNamespaceSelector:
            .ref(
                LabelSelector.self,
                "Namespaces whose Pods may connect to the relay's SMTP port. Unset: every namespace."
            )
        }
    }
}

extension MailRelay.Status: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case observedGeneration, conditions, replicas, readyReplicas, updatedReplicas, endpoint
    }

    public static let schema = JSONSchema.object(
        "The state of the relay as last observed by the operator.",
        keys: CodingKeys.self
    ) {
        switch $0 {
        case .observedGeneration:
            .integer("The metadata.generation this status was computed for.", minimum: 0, format: "int64")
        case .conditions:
            Condition.listSchema(
                "Available: enough relay Pods are ready. Progressing: a rollout is under way. Degraded: the relay "
                    + "cannot reach its desired state; the reason says why."
            )
        case .replicas: .integer("Relay Pods that exist.", minimum: 0, format: "int32")
        case .readyReplicas: .integer("Relay Pods that are ready.", minimum: 0, format: "int32")
        case .updatedReplicas: .integer("Relay Pods that run the current configuration.", minimum: 0, format: "int32")
        case .endpoint: .string("The DNS name of the relay's Service, where Pods send mail.")
        }
    }
}
