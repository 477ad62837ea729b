/// A check of `kubemailctl lint`, with a stable id that CI configurations and SARIF consumers
/// can rely on.
public struct LintRule: Hashable, Sendable, Identifiable {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case error, warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    public var id: String
    public var severity: Severity
    /// One line: what the rule finds.
    public var summary: String
    /// What to do about it.
    public var help: String

    /// Rules that mean a file could not be read at all: the exit code is 2, never 0 or 1.
    public var makesInputUnreadable: Bool { ["io-error", "yaml-syntax", "yaml-encoding"].contains(id) }
}

extension LintRule {
    public static let ioError = LintRule(
        id: "io-error",
        severity: .error,
        summary: "The file or directory cannot be read.",
        help: "Check the path and its permissions."
    )
    public static let yamlSyntax = LintRule(
        id: "yaml-syntax",
        severity: .error,
        summary: "The file is not valid YAML; nothing after the error was checked.",
        help: "Fix the syntax at the position shown; tabs cannot indent YAML."
    )
    public static let yamlEncoding = LintRule(
        id: "yaml-encoding",
        severity: .error,
        summary: "The file is not UTF-8.",
        help: "Save the file as UTF-8, as Kubernetes requires."
    )
    public static let yamlDuplicateKey = LintRule(
        id: "yaml-duplicate-key",
        severity: .error,
        summary: "A key appears twice in one mapping.",
        help: "Remove one of them: kubectl rejects the document, and other tools silently keep only one."
    )
    public static let yamlAmbiguousBoolean = LintRule(
        id: "yaml-ambiguous-boolean",
        severity: .warning,
        summary: "yes, no, on, off, y and n are booleans for Kubernetes (YAML 1.1) but strings for YAML 1.2 tools.",
        help: "Write true or false, or quote the value if you mean the string."
    )
    public static let missingTypeMeta = LintRule(
        id: "missing-type-meta",
        severity: .error,
        summary: "The document has no apiVersion or kind.",
        help: "Every Kubernetes object needs apiVersion and kind."
    )
    public static let unknownKind = LintRule(
        id: "unknown-kind",
        severity: .error,
        summary: "The kind does not exist in the kube-mail.helmich.me API group.",
        help: "Use SMTPServer, EmailPolicy or MailRelay."
    )
    public static let unknownVersion = LintRule(
        id: "unknown-version",
        severity: .error,
        summary: "kube-mail.helmich.me does not serve this version.",
        help: "Use apiVersion: kube-mail.helmich.me/v1alpha1."
    )
    public static let invalidMetadata = LintRule(
        id: "invalid-metadata",
        severity: .error,
        summary: "The object's name, namespace, labels or annotations are invalid.",
        help: "Names are lower-case RFC 1123 subdomains; label keys and values follow the Kubernetes label syntax."
    )
    public static let invalidValue = LintRule(
        id: "invalid-value",
        severity: .error,
        summary: "A field has a value the API accepts by type but kube-mail rejects.",
        help: "See the message for the allowed values."
    )
    public static let selectorInvalid = LintRule(
        id: "selector-invalid",
        severity: .error,
        summary: "A label selector is invalid (operator, values or label syntax).",
        help: "In and NotIn need values; Exists and DoesNotExist take none; keys and values follow the label syntax."
    )
    public static let refServerNotFound = LintRule(
        id: "ref-server-not-found",
        severity: .error,
        summary: "The policy's SMTPServer is not among the given manifests.",
        help: "Add the file that defines it, fix the reference, or lint against the cluster with --cluster."
    )
    public static let refSecretNotFound = LintRule(
        id: "ref-secret-not-found",
        severity: .error,
        summary: "The policy's credentials Secret is not among the given manifests.",
        help: "Add the file that defines it, fix the reference, or lint against the cluster with --cluster."
    )
    public static let refSecretKeyMissing = LintRule(
        id: "ref-secret-key-missing",
        severity: .error,
        summary: "The credentials Secret lacks the key username or password.",
        help: "Put both keys in the Secret's data or stringData."
    )
    public static let refNotPermitted = LintRule(
        id: "ref-not-permitted",
        severity: .error,
        summary: "The policy's namespace may not use the referenced Secret or server.",
        help:
            "Annotate the Secret with kube-mail.helmich.me/allowed-namespaces listing the policy's namespace, or widen "
            + "the server's allowedNamespaces."
    )
    public static let policyOverlap = LintRule(
        id: "policy-overlap",
        severity: .warning,
        summary: "Two policies of a namespace can select the same Pod.",
        help: "Make the selectors disjoint, or accept the winner shown: more requirements win, then the smaller name."
    )
    public static let policyMultipleDefaults = LintRule(
        id: "policy-multiple-defaults",
        severity: .warning,
        summary: "A namespace has several default policies.",
        help: "Keep one default policy per namespace; the one with the smallest name is used."
    )
    public static let policySelectsNothing = LintRule(
        id: "policy-selects-nothing",
        severity: .warning,
        summary: "The policy has no podSelector and is not a default, so it never applies.",
        help: "Add a podSelector ({} selects every Pod of the namespace) or set default: true."
    )
    public static let insecureAuth = LintRule(
        id: "insecure-auth",
        severity: .error,
        summary: "PLAIN or LOGIN over a connection without TLS: the relay refuses to send the password.",
        help:
            "Use connect: starttls or ssl, a challenge-response mechanism (CRAM-MD5, SCRAM), or set allowInsecureAuth: "
            + "true if the network is trusted."
    )
    public static let insecureAuthAllowed = LintRule(
        id: "insecure-auth-allowed",
        severity: .warning,
        summary: "PLAIN or LOGIN over a connection without TLS is allowed: the password crosses the network in clear.",
        help: "Prefer connect: starttls or ssl."
    )
    public static let insecureSkipVerify = LintRule(
        id: "insecure-skip-verify",
        severity: .warning,
        summary: "The upstream's certificate is not verified: anyone on the path can read mail and credentials.",
        help: "Remove tlsConfig.insecureSkipVerify outside test environments."
    )
    public static let deprecatedTLS = LintRule(
        id: "deprecated-tls",
        severity: .warning,
        summary: "spec.tls is deprecated.",
        help: "Write connect: ssl for tls: true, connect: plain for tls: false."
    )
    public static let portConnectMismatch = LintRule(
        id: "port-connect-mismatch",
        severity: .warning,
        summary: "The port usually speaks another connection mode (465 implicit TLS; 25 and 587 STARTTLS).",
        help: "Check that connect matches what the server speaks on this port."
    )
    public static let duplicateObject = LintRule(
        id: "duplicate-object",
        severity: .error,
        summary: "The same object is defined twice.",
        help: "Remove one definition: kubectl apply would keep only the last."
    )

    /// Every rule, in the order documentation lists them.
    public static let all: [LintRule] = [
        .ioError, .yamlSyntax, .yamlEncoding, .yamlDuplicateKey, .yamlAmbiguousBoolean, .missingTypeMeta, .unknownKind,
        .unknownVersion, .schema(.type), .schema(.required), .schema(.enumeration), .schema(.range), .schema(.pattern),
        .schema(.format), .schema(.unknownField), .schema(.oneOf), .invalidMetadata, .invalidValue, .selectorInvalid,
        .duplicateObject, .refServerNotFound, .refSecretNotFound, .refSecretKeyMissing, .refNotPermitted,
        .policyOverlap,
        .policyMultipleDefaults, .policySelectsNothing, .insecureAuth, .insecureAuthAllowed, .insecureSkipVerify,
        .deprecatedTLS, .portConnectMismatch,
    ]

    static func schema(_ kind: SchemaValidator.Violation.Kind) -> LintRule {
        let summary: String
        switch kind {
        case .type: summary = "A field has the wrong type."
        case .required: summary = "A required field is missing."
        case .enumeration: summary = "A field has a value outside its allowed set."
        case .range: summary = "A value is out of bounds (number range, length, item count)."
        case .pattern: summary = "A string does not have the required form."
        case .format: summary = "A string is not in the required format."
        case .unknownField: summary = "A field does not exist in the schema (a typo?)."
        case .oneOf: summary = "Exactly one of several fields must be set."
        }
        return LintRule(
            id: kind.rawValue,
            severity: .error,
            summary: summary,
            help: "The CRD schema (kubemailctl crds) rejects this; see kubectl explain for the field."
        )
    }
}

/// One problem found in a manifest.
public struct Finding: Hashable, Sendable {
    /// The object a finding is about: `EmailPolicy shop/web`.
    public struct Object: Hashable, Sendable, CustomStringConvertible {
        public var kind: String
        public var namespace: String?
        public var name: String

        public var description: String { "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)" }
    }

    public var file: String
    public var position: SourcePosition
    public var rule: LintRule
    public var message: String
    public var object: Object?

    public var severity: LintRule.Severity { rule.severity }
}
