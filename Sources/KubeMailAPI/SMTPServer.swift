/// An upstream SMTP server that policies deliver to.
public struct SMTPServer: KubeMailResource {
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

    /// How the relay connects to the upstream.
    public enum ConnectMode: String, ManifestEnum {
        /// No TLS at all.
        case plain
        /// Implicit TLS from the first byte (SMTPS, usually port 465).
        case ssl
        /// STARTTLS, required: when the server does not offer it, nothing is sent.
        case starttls
    }

    /// A SASL mechanism (RFC 4954).
    public enum AuthType: String, ManifestEnum {
        case plain = "PLAIN"
        case login = "LOGIN"
        case cramMD5 = "CRAM-MD5"
        case scramSHA1 = "SCRAM-SHA-1"
        case scramSHA256 = "SCRAM-SHA-256"

        /// Whether the mechanism sends the password itself, readable by anyone on the wire.
        public var sendsCleartextPassword: Bool { self == .plain || self == .login }
    }

    public struct Spec: Codable, Hashable, Sendable {
        public var server: String
        public var port: Int?
        public var connect: ConnectMode?
        /// Deprecated: the original project's switch. `true` means `ssl`, `false` means `plain`.
        public var tls: Bool?
        public var authType: AuthType?
        public var tlsConfig: TLSConfig?
        public var allowInsecureAuth: Bool?
        public var allowedNamespaces: LabelSelector?

        public static let defaultPort = 587
        public static let implicitTLSPort = 465

        public init(
            server: String,
            port: Int? = nil,
            connect: ConnectMode? = nil,
            tls: Bool? = nil,
            authType: AuthType? = nil,
            tlsConfig: TLSConfig? = nil,
            allowInsecureAuth: Bool? = nil,
            allowedNamespaces: LabelSelector? = nil
        ) {
            self.server = server
            self.port = port
            self.connect = connect
            self.tls = tls
            self.authType = authType
            self.tlsConfig = tlsConfig
            self.allowInsecureAuth = allowInsecureAuth
            self.allowedNamespaces = allowedNamespaces
        }

        public var effectivePort: Int { port ?? Self.defaultPort }

        /// `connect` when set; else the deprecated `tls`; else implicit TLS on 465 and STARTTLS elsewhere.
        public var effectiveConnect: ConnectMode {
            if let connect { return connect }
            if let tls { return tls ? .ssl : .plain }
            return effectivePort == Self.implicitTLSPort ? .ssl : .starttls
        }

        public var effectiveInsecureSkipVerify: Bool { tlsConfig?.insecureSkipVerify ?? false }
        public var effectiveAllowInsecureAuth: Bool { allowInsecureAuth ?? false }

        /// The spec with every default written out, as the relay and operator work with it.
        /// The deprecated `tls` is folded into `connect`.
        public func defaulted() -> Spec {
            var copy = self
            copy.port = effectivePort
            copy.connect = effectiveConnect
            copy.tls = nil
            copy.tlsConfig = TLSConfig(insecureSkipVerify: effectiveInsecureSkipVerify)
            copy.allowInsecureAuth = effectiveAllowInsecureAuth
            return copy
        }
    }

    public struct TLSConfig: Codable, Hashable, Sendable {
        /// Skips certificate verification of the upstream. For test servers only.
        public var insecureSkipVerify: Bool?

        public init(insecureSkipVerify: Bool? = nil) {
            self.insecureSkipVerify = insecureSkipVerify
        }
    }

    public struct Status: Codable, Hashable, Sendable {
        public var observedGeneration: Int64?
        public var conditions: [Condition]?
        /// The connection mode in effect (`spec.connect`, or derived from the port and `tls`).
        public var connect: ConnectMode?

        public init(observedGeneration: Int64? = nil, conditions: [Condition]? = nil, connect: ConnectMode? = nil) {
            self.observedGeneration = observedGeneration
            self.conditions = conditions
            self.connect = connect
        }
    }

    public static let names = ResourceNames(
        kind: "SMTPServer",
        plural: "smtpservers",
        singular: "smtpserver",
        shortNames: ["smtpserver", "smtpsrv"]
    )

    public static let summary =
        "SMTPServer describes an upstream SMTP server that EmailPolicies deliver mail to: where it is, how to "
        + "connect to it (plain, implicit TLS or required STARTTLS) and which SASL mechanism to authenticate with."

    public static let printerColumns = [
        PrinterColumn(
            "Server",
            type: "string",
            jsonPath: ".spec.server",
            description: "Host name or IP of the upstream."
        ),
        PrinterColumn("Port", type: "integer", jsonPath: ".spec.port", description: "Port of the upstream."),
        PrinterColumn(
            "Connect",
            type: "string",
            jsonPath: ".status.connect",
            description: "Connection mode in effect."
        ),
        PrinterColumn.condition("Ready", "Whether the server is accepted and reachable."),
        PrinterColumn.age,
    ]

    public func validateSpec() -> [FieldError] {
        let path: FieldPath = "spec"
        var errors: [FieldError] = []
        if spec.server.isEmpty {
            errors.append(.required(path.child("server")))
        } else {
            errors += NameValidation.host(spec.server).map { .invalid(path.child("server"), spec.server, $0) }
        }
        if let port = spec.port, !(1...65535).contains(port) {
            errors.append(.invalid(path.child("port"), port, "must be between 1 and 65535, inclusive"))
        }
        if let selector = spec.allowedNamespaces {
            errors += selector.validate(at: path.child("allowedNamespaces"))
        }
        return errors
    }
}

extension SMTPServer.Spec: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case server, port, connect, tls, authType, tlsConfig, allowInsecureAuth, allowedNamespaces
    }

    public static let schema = JSONSchema.object(
        "The upstream server and how to connect and authenticate to it.",
        keys: CodingKeys.self,
        required: [.server]
    ) {
        switch $0 {
        case .server:
            .string(
                "Host name or IP address of the upstream SMTP server, e.g. smtp.example.com or a cluster-internal "
                    + "Service name such as mailhog.mail.svc.cluster.local.",
                pattern: NameValidation.hostPattern,
                minLength: 1,
                maxLength: 253
            )
        case .port:
            .integer(
                "TCP port of the upstream SMTP server.",
                minimum: 1,
                maximum: 65535,
                default: SMTPServer.Spec.defaultPort
            )
        case .connect:
            .enumeration(
                SMTPServer.ConnectMode.self,
                "How to connect: plain (no TLS), ssl (implicit TLS) or starttls (STARTTLS is required; there is never "
                    + "a fallback to plaintext). When unset: the deprecated tls field decides if set, otherwise ssl on "
                    + "port 465 and starttls on any other port."
            )
        case .tls:
            .boolean(
                "Deprecated: use connect. true means connect: ssl, false means connect: plain. When both are set, "
                    + "connect wins."
            )
        case .authType:
            .enumeration(
                SMTPServer.AuthType.self,
                "The SASL mechanism to authenticate with. When set, exactly this mechanism is used, and delivery fails "
                    + "when the server does not offer it. When unset, the strongest offered mechanism is chosen: "
                    + "SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN."
            )
        case .tlsConfig: .ref(SMTPServer.TLSConfig.self, "TLS settings for the connection to the upstream.")
        case .allowInsecureAuth:
            .boolean(
                "Allow PLAIN and LOGIN over a connection without TLS, which exposes the password on the network.",
                default: false
            )
        case .allowedNamespaces:
            .ref(
                LabelSelector.self,
                "Which namespaces' EmailPolicies may use this server, as a label selector on namespaces. "
                    + "Unset: policies of every namespace may use it."
            )
        }
    }
}

extension SMTPServer.TLSConfig: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case insecureSkipVerify
    }

    public static let schema = JSONSchema.object("TLS settings.", keys: CodingKeys.self) {
        switch $0 {
        case .insecureSkipVerify:
            .boolean(
                "Skip verification of the upstream's certificate. Only for test servers: it allows anyone on the "
                    + "path to read the mail and the credentials.",
                default: false
            )
        }
    }
}

extension SMTPServer.Status: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case observedGeneration, conditions, connect
    }

    public static let schema = JSONSchema.object(
        "The state of the server as last observed by the operator.",
        keys: CodingKeys.self
    ) {
        switch $0 {
        case .observedGeneration:
            .integer("The metadata.generation this status was computed for.", minimum: 0, format: "int64")
        case .conditions:
            Condition.listSchema(
                "Accepted: the spec is valid. Reachable: the operator's periodic probe (connect, EHLO, TLS as "
                    + "configured) succeeded; its reason says what failed. Ready: both."
            )
        case .connect:
            .enumeration(
                SMTPServer.ConnectMode.self,
                "The connection mode in effect (spec.connect, or derived from port and tls)."
            )
        }
    }
}
