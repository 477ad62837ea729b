/// Which Pods of a namespace may send mail, how much, and where it goes.
public struct EmailPolicy: KubeMailResource {
    public var apiVersion = KubeMailGroup.apiVersion
    public var kind = Self.names.kind
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public struct Spec: Codable, Hashable, Sendable {
        /// Absent: the policy selects no Pod (it can still serve as a default). `{}`: every Pod.
        public var podSelector: LabelSelector?
        /// Whether the policy is the fallback for Pods no other policy selects.
        public var isDefault: Bool?
        public var rateLimiting: RateLimiting?
        public var sink: Sink

        public init(
            podSelector: LabelSelector? = nil,
            isDefault: Bool? = nil,
            rateLimiting: RateLimiting? = nil,
            sink: Sink
        ) {
            self.podSelector = podSelector
            self.isDefault = isDefault
            self.rateLimiting = rateLimiting
            self.sink = sink
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case podSelector
            case isDefault = "default"
            case rateLimiting = "ratelimiting"
            case sink
        }

        public var effectiveIsDefault: Bool { isDefault ?? false }

        /// The spec with every default written out.
        public func defaulted() -> Spec {
            var copy = self
            copy.isDefault = effectiveIsDefault
            copy.rateLimiting = rateLimiting?.defaulted()
            copy.sink = sink.defaulted()
            return copy
        }
    }

    /// At most `maximum` units per `period`, per policy, across all Pods and relay replicas.
    public struct RateLimiting: Codable, Hashable, Sendable {
        public enum Period: String, ManifestEnum {
            case minute, hour

            public var seconds: Int { self == .minute ? 60 : 3600 }
        }

        public enum Unit: String, ManifestEnum {
            /// Each recipient of a message counts one, as upstream providers count.
            case recipients
            /// Each message counts one, however many recipients it has.
            case messages
        }

        public var maximum: Int
        public var period: Period?
        public var unit: Unit?

        public static let maximumLimit = 1_000_000_000

        public init(maximum: Int, period: Period? = nil, unit: Unit? = nil) {
            self.maximum = maximum
            self.period = period
            self.unit = unit
        }

        public var effectivePeriod: Period { period ?? .minute }
        public var effectiveUnit: Unit { unit ?? .recipients }

        public func defaulted() -> RateLimiting {
            RateLimiting(maximum: maximum, period: effectivePeriod, unit: effectiveUnit)
        }

        /// `100 recipients/hour`: how the limit is shown in status and messages.
        public var summary: String { "\(maximum) \(effectiveUnit.rawValue)/\(effectivePeriod.rawValue)" }
    }

    /// Where accepted mail goes. Exactly one member is set.
    public struct Sink: Codable, Hashable, Sendable {
        public var smtp: SMTPSink?
        public var catchStore: CatchSink?
        public var discard: DiscardSink?

        public init(smtp: SMTPSink? = nil, catchStore: CatchSink? = nil, discard: DiscardSink? = nil) {
            self.smtp = smtp
            self.catchStore = catchStore
            self.discard = discard
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case smtp
            case catchStore = "catch"
            case discard
        }

        /// The names of the members that are set, in schema order.
        public var configuredKinds: [String] {
            [smtp.map { _ in "smtp" }, catchStore.map { _ in "catch" }, discard.map { _ in "discard" }].compactMap {
                $0
            }
        }

        public func defaulted() -> Sink {
            var copy = self
            copy.catchStore = catchStore.map { CatchSink(retention: $0.effectiveRetention.text) }
            return copy
        }
    }

    /// Delivery to an upstream SMTP server.
    public struct SMTPSink: Codable, Hashable, Sendable {
        public var server: ResourceReference
        /// A Secret with the keys `username` and `password`. Absent: unauthenticated delivery.
        public var credentials: ResourceReference?

        public init(server: ResourceReference, credentials: ResourceReference? = nil) {
            self.server = server
            self.credentials = credentials
        }
    }

    /// Keeping mail in kube-mail's own store, readable with `kubemailctl mails`.
    public struct CatchSink: Codable, Hashable, Sendable {
        public var retention: String?

        public static let defaultRetention = GoDuration("168h")!

        public init(retention: String? = nil) {
            self.retention = retention
        }

        /// The retention in effect; an unparseable value (rejected by validation) falls back to the default.
        public var effectiveRetention: GoDuration {
            retention.flatMap(GoDuration.init) ?? Self.defaultRetention
        }
    }

    /// Accepting, counting and dropping mail.
    public struct DiscardSink: Codable, Hashable, Sendable {
        public init() {}
    }

    public struct Status: Codable, Hashable, Sendable {
        public var observedGeneration: Int64?
        public var conditions: [Condition]?
        /// Running Pods this policy currently wins.
        public var matchedPods: Int?
        /// The rate limit in effect, as `100 recipients/hour`, or `unlimited`.
        public var rateLimit: String?

        public init(
            observedGeneration: Int64? = nil,
            conditions: [Condition]? = nil,
            matchedPods: Int? = nil,
            rateLimit: String? = nil
        ) {
            self.observedGeneration = observedGeneration
            self.conditions = conditions
            self.matchedPods = matchedPods
            self.rateLimit = rateLimit
        }
    }

    public static let names = ResourceNames(
        kind: "EmailPolicy",
        plural: "emailpolicies",
        singular: "emailpolicy",
        shortNames: ["emailpolicy", "epol"]
    )

    public static let summary =
        "EmailPolicy decides what happens to mail sent by the Pods of its namespace that its podSelector selects: "
        + "the sink that receives it (an SMTPServer, kube-mail's catch store, or discard) and the rate limit."

    public static let printerColumns = [
        PrinterColumn.condition("Ready", "Whether the policy is accepted and its references resolve."),
        PrinterColumn(
            "Server",
            type: "string",
            jsonPath: ".spec.sink.smtp.server.name",
            description: "The SMTPServer mail is delivered to."
        ),
        PrinterColumn(
            "Rate limit",
            type: "string",
            jsonPath: ".status.rateLimit",
            description: "The rate limit in effect."
        ),
        PrinterColumn(
            "Pods",
            type: "integer",
            jsonPath: ".status.matchedPods",
            description: "Running Pods this policy wins."
        ),
        PrinterColumn.age,
    ]

    public func validateSpec() -> [FieldError] {
        let path: FieldPath = "spec"
        var errors: [FieldError] = []
        if let selector = spec.podSelector {
            errors += selector.validate(at: path.child("podSelector"))
        }
        if let limit = spec.rateLimiting, !(1...RateLimiting.maximumLimit).contains(limit.maximum) {
            errors.append(
                .invalid(
                    path.child("ratelimiting").child("maximum"),
                    limit.maximum,
                    "must be between 1 and \(RateLimiting.maximumLimit), inclusive"
                )
            )
        }
        let sinkPath = path.child("sink")
        let kinds = spec.sink.configuredKinds
        if kinds.count != 1 {
            errors.append(
                .invalid(
                    sinkPath,
                    kinds.isEmpty ? "{}" : kinds.joined(separator: ", "),
                    "exactly one of smtp, catch or discard must be set"
                )
            )
        }
        if let smtp = spec.sink.smtp {
            errors += smtp.server.validate(at: sinkPath.child("smtp").child("server"))
            if let credentials = smtp.credentials {
                errors += credentials.validate(at: sinkPath.child("smtp").child("credentials"))
            }
        }
        if let retention = spec.sink.catchStore?.retention {
            let retentionPath = sinkPath.child("catch").child("retention")
            if let duration = GoDuration(retention) {
                if duration.seconds <= 0 {
                    errors.append(.invalid(retentionPath, retention, "must be greater than zero"))
                }
            } else {
                errors.append(.invalid(retentionPath, retention, "must be a duration such as 168h, 30m or 1h30m"))
            }
        }
        return errors
    }
}

extension EmailPolicy.Spec: SchemaDescribed {
    public static let schema = JSONSchema.object(
        "Which Pods the policy applies to, where their mail goes and how much they may send.",
        keys: CodingKeys.self,
        required: [.sink]
    ) {
        switch $0 {
        case .podSelector:
            .ref(
                LabelSelector.self,
                "Selects the Pods of this namespace the policy applies to. {} selects every Pod; when absent the "
                    + "policy selects no Pod and only serves as a default. When several policies select a Pod, the one "
                    + "with the most requirements wins, then the lexically smallest name."
            )
        case .isDefault:
            .boolean(
                "Makes this policy the fallback for Pods of its namespace that no other policy selects. Default "
                    + "policies in kube-mail's own namespace are the fallback for namespaces without a match.",
                default: false
            )
        case .rateLimiting: .ref(EmailPolicy.RateLimiting.self, "Limits how much mail the selected Pods may send.")
        case .sink:
            .ref(EmailPolicy.Sink.self, "Where accepted mail is delivered. Exactly one of smtp, catch or discard.")
        }
    }
}

extension EmailPolicy.RateLimiting: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case maximum, period, unit
    }

    public static let schema = JSONSchema.object(
        "A sliding-window limit, counted per policy across all Pods it applies to and all relay replicas.",
        keys: CodingKeys.self,
        required: [.maximum]
    ) {
        switch $0 {
        case .maximum:
            .integer("The most units allowed per period.", minimum: 1, maximum: EmailPolicy.RateLimiting.maximumLimit)
        case .period: .enumeration(Period.self, "The length of the sliding window.", default: .minute)
        case .unit:
            .enumeration(
                Unit.self,
                "What counts one unit: each recipient of a message (recipients, as upstream providers count) or each "
                    + "message (messages).",
                default: .recipients
            )
        }
    }
}

extension EmailPolicy.Sink: SchemaDescribed {
    public static let schema = JSONSchema.object("Where accepted mail is delivered.", keys: CodingKeys.self) {
        switch $0 {
        case .smtp: .ref(EmailPolicy.SMTPSink.self, "Deliver to an upstream SMTP server, described by an SMTPServer.")
        case .catchStore:
            .ref(EmailPolicy.CatchSink.self, "Keep the mail in kube-mail's own store, readable with kubemailctl mails.")
        case .discard:
            .ref(EmailPolicy.DiscardSink.self, "Accept, count and drop the mail (for load tests and dry runs).")
        }
    }
    .requiringExactlyOne(
        of: ["smtp", "catch", "discard"],
        message: "exactly one of smtp, catch or discard must be set"
    )
}

extension EmailPolicy.SMTPSink: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case server, credentials
    }

    public static let schema = JSONSchema.object(
        "Delivery to an upstream SMTP server.",
        keys: CodingKeys.self,
        required: [.server]
    ) {
        switch $0 {
        case .server:
            .ref(ResourceReference.self, "The SMTPServer to deliver to; namespace defaults to the policy's namespace.")
        case .credentials:
            .ref(
                ResourceReference.self,
                "A Secret with the keys username and password (type Opaque or kubernetes.io/basic-auth) to authenticate "
                    + "with. When absent, delivery is unauthenticated. A Secret of another namespace may be used only "
                    + "when it carries the annotation kube-mail.helmich.me/allowed-namespaces listing this policy's "
                    + "namespace, or *."
            )
        }
    }
}

extension EmailPolicy.CatchSink: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case retention
    }

    public static let schema = JSONSchema.object("Keeping mail in kube-mail's catch store.", keys: CodingKeys.self) {
        switch $0 {
        case .retention:
            .string(
                "How long caught mail is kept, as a duration such as 168h or 30m.",
                pattern: GoDuration.pattern,
                default: EmailPolicy.CatchSink.defaultRetention.text
            )
        }
    }
}

extension EmailPolicy.DiscardSink: SchemaDescribed {
    public static let schema = JSONSchema(type: .object, description: "Accept, count and drop.")
}

extension EmailPolicy.Status: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case observedGeneration, conditions, matchedPods, rateLimit
    }

    public static let schema = JSONSchema.object(
        "The state of the policy as last observed by the operator.",
        keys: CodingKeys.self
    ) {
        switch $0 {
        case .observedGeneration:
            .integer("The metadata.generation this status was computed for.", minimum: 0, format: "int64")
        case .conditions:
            Condition.listSchema(
                "Accepted: the spec is valid. ResolvedRefs: the server and Secret exist and may be used (reasons "
                    + "ServerNotFound, SecretNotFound, SecretKeyMissing, RefNotPermitted). Conflicted: another policy "
                    + "selects the same Pods. Ready: the policy delivers."
            )
        case .matchedPods: .integer("The number of running Pods this policy currently wins.", minimum: 0)
        case .rateLimit: .string("The rate limit in effect, such as \"100 recipients/hour\", or \"unlimited\".")
        }
    }
}
