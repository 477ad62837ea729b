/// One served resource (`pods`, `emailpolicies.kube-mail.helmich.me`, ...) and everything the
/// server needs to know about it: where it lives in the URL space, how discovery describes it,
/// which subresources it has, how tables print it and, for custom resources, its schema.
public struct ResourceType: Sendable, Hashable {
    public var group: String
    public var version: String
    public var kind: String
    public var plural: String
    public var singular: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var hasStatus: Bool
    public var hasLog: Bool
    public var printerColumns: [PrinterColumn]
    /// The `openAPIV3Schema` of a custom resource version; `nil` for built-in kinds (not validated
    /// beyond object metadata).
    public var schema: JSONValue?
    /// Whether the schema is a CRD's (pruning, defaulting and strict field validation apply).
    public var isCustom: Bool

    public init(
        group: String,
        version: String,
        kind: String,
        plural: String,
        singular: String? = nil,
        namespaced: Bool,
        shortNames: [String] = [],
        categories: [String] = [],
        hasStatus: Bool = false,
        hasLog: Bool = false,
        printerColumns: [PrinterColumn] = [],
        schema: JSONValue? = nil,
        isCustom: Bool = false
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular ?? kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.hasStatus = hasStatus
        self.hasLog = hasLog
        self.printerColumns = printerColumns
        self.schema = schema
        self.isCustom = isCustom
    }

    /// `v1` or `apps/v1`, as in an object's `apiVersion`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `pods` or `emailpolicies.kube-mail.helmich.me`, as the server's messages name resources.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// Identifies the stored objects, independent of the served version.
    public var storageKey: String { "\(plural).\(group)" }

    public static let standardVerbs = [
        "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
    ]

    /// Whether the kind has `metadata.generation` (custom resources and the built-in kinds whose
    /// registries maintain it in Kubernetes 1.32; pods do not have one yet).
    var tracksGeneration: Bool {
        isCustom || ["Deployment", "PodDisruptionBudget", "NetworkPolicy", "CustomResourceDefinition"].contains(kind)
    }
}

/// A column of `kubectl get` output, as a CRD's `additionalPrinterColumns` describes it.
public struct PrinterColumn: Sendable, Hashable {
    public var name: String
    public var type: String
    public var jsonPath: String
    public var description: String
    public var priority: Int
    public var format: String
    /// For built-in kinds whose kubectl columns are derived rather than read (a pod's READY).
    public var computed: ComputedCell?

    public init(
        name: String,
        type: String,
        jsonPath: String,
        description: String = "",
        priority: Int = 0,
        format: String = "",
        computed: ComputedCell? = nil
    ) {
        self.name = name
        self.type = type
        self.jsonPath = jsonPath
        self.description = description
        self.priority = priority
        self.format = format
        self.computed = computed
    }
}

/// Derived cells of the built-in printers (`k8s.io/kubernetes/pkg/printers/internalversion`).
public enum ComputedCell: Sendable, Hashable {
    /// `1/2`: ready containers of all containers.
    case podReady
    /// The phase, a container's waiting/terminated reason, or `Terminating`.
    case podStatus
    /// The sum of the containers' restart counts.
    case podRestarts
    /// `ready/desired` replicas of a Deployment.
    case deploymentReady
    /// The number of entries in `data` (plus `binaryData`).
    case dataCount
    /// `25/TCP,587/TCP` for a Service.
    case servicePorts

    func value(for object: JSONValue) -> JSONValue {
        switch self {
        case .podReady:
            let total = object[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
            let ready =
                object[path: ["status", "containerStatuses"]]?.arrayValue?.filter { $0["ready"]?.boolValue == true }
                .count ?? 0
            return .string("\(ready)/\(total)")
        case .podStatus:
            if object[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
            for status in object[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
                if let reason = status[path: ["state", "waiting", "reason"]]?.stringValue
                    ?? status[path: ["state", "terminated", "reason"]]?.stringValue
                {
                    return .string(reason)
                }
            }
            return object[path: ["status", "reason"]] ?? object[path: ["status", "phase"]] ?? "Pending"
        case .podRestarts:
            let restarts =
                object[path: ["status", "containerStatuses"]]?.arrayValue?.reduce(Int64(0)) {
                    $0 + ($1["restartCount"]?.intValue ?? 0)
                } ?? 0
            return .int(restarts)
        case .deploymentReady:
            let ready = object[path: ["status", "readyReplicas"]]?.intValue ?? 0
            let desired = object[path: ["spec", "replicas"]]?.intValue ?? 1
            return .string("\(ready)/\(desired)")
        case .dataCount:
            return .int(
                Int64((object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0))
            )
        case .servicePorts:
            let ports = object[path: ["spec", "ports"]]?.arrayValue ?? []
            if ports.isEmpty { return "<none>" }
            return .string(
                ports.map { "\($0["port"]?.intValue ?? 0)/\($0["protocol"]?.stringValue ?? "TCP")" }.joined(
                    separator: ","
                )
            )
        }
    }
}
