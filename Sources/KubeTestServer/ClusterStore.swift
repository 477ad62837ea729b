import Foundation

/// The API server's storage and object semantics, without any HTTP or concurrency.
///
/// A value type: every operation is a `mutating` method that either commits completely or throws
/// an ``APIError`` and leaves the store untouched, which also makes dry runs trivial (run the
/// operation on a copy). One cluster-wide counter stamps every change with a `resourceVersion`;
/// each change is also appended to a bounded event history that watches replay and that old list
/// snapshots are rebuilt from.
public struct ClusterStore: Sendable {
    /// The result of a write: the stored object, whether it was created, and warnings for the
    /// `Warning` response header (unknown fields under `fieldValidation=Warn`).
    public struct WriteResult: Sendable {
        public var object: JSONValue
        public var created: Bool
        public var warnings: [String]
    }

    /// The result of a delete: the object's last state and whether it is gone (false while
    /// finalizers hold it).
    public struct DeleteResult: Sendable {
        public var object: JSONValue
        public var deleted: Bool
    }

    public enum FieldValidation: String, Sendable {
        case ignore = "Ignore"
        case warn = "Warn"
        case strict = "Strict"
    }

    public enum PatchType: String, Sendable {
        case json = "application/json-patch+json"
        case merge = "application/merge-patch+json"
        case strategic = "application/strategic-merge-patch+json"
        case apply = "application/apply-patch+yaml"
    }

    public private(set) var resourceVersion: Int64 = 0
    /// The newest resource version no longer in the history: watches must start at or after it.
    public private(set) var compactedResourceVersion: Int64 = 0
    public private(set) var historySize: Int
    /// Served resource types, keyed `group/version/plural`.
    private(set) var served: [String: ResourceType] = [:]
    private var objects: [String: [ObjectKey: JSONValue]] = [:]
    private var history: [StoredEvent] = []
    private var undelivered: [StoredEvent] = []
    private let now: @Sendable () -> Date
    private var nextServiceIP = 1

    public init(historySize: Int = 1000, now: @escaping @Sendable () -> Date = { Date() }) {
        self.historySize = max(1, historySize)
        self.now = now
        for resource in BuiltinResources.all { register(resource) }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? create(
                ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]],
                resource: BuiltinResources.namespace,
                namespace: "",
                manager: "kube-apiserver"
            )
        }
    }

    // MARK: - Resource types

    public var servedResources: [ResourceType] {
        served.values.sorted { ($0.group, $0.version, $0.plural) < ($1.group, $1.version, $1.plural) }
    }

    public func resource(group: String, version: String, plural: String) -> ResourceType? {
        served["\(group)/\(version)/\(plural)"]
    }

    public func resource(apiVersion: String, kind: String) -> ResourceType? {
        served.values.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    mutating func register(_ resource: ResourceType) {
        served["\(resource.group)/\(resource.version)/\(resource.plural)"] = resource
    }

    public mutating func setHistorySize(_ size: Int) {
        historySize = max(1, size)
        trimHistory()
    }

    // MARK: - Reads

    public func get(_ resource: ResourceType, namespace: String, name: String) throws(APIError) -> JSONValue {
        guard
            let object = objects[resource.storageKey]?[
                ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
            ]
        else {
            throw APIError.notFound(resource, name: name)
        }
        return present(object, as: resource)
    }

    /// Options of a list call, as its query parameters carry them.
    public struct ListOptions: Sendable {
        public var labelSelector = LabelSelectorQuery()
        public var fieldSelector = FieldSelectorQuery()
        public var limit: Int?
        public var continueToken: String?
        public var resourceVersion: String?
        public var resourceVersionMatch: String?
        public init() {}
    }

    /// A `...List` object. Pages (`limit`/`continue`) are consistent snapshots at the first page's
    /// resourceVersion, rebuilt from the history; a token older than the history is 410 Expired.
    public func list(
        _ resource: ResourceType,
        namespace: String?,
        options: ListOptions = ListOptions()
    ) throws(APIError) -> JSONValue {
        var listVersion = resourceVersion
        var startAfter: ObjectKey?
        if let token = options.continueToken, !token.isEmpty {
            guard let decoded = ContinueToken(encoded: token) else {
                throw APIError.badRequest(
                    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
                )
            }
            listVersion = decoded.resourceVersion
            startAfter = decoded.startAfter
            if listVersion < compactedResourceVersion {
                throw APIError(
                    code: 410,
                    reason: "Expired",
                    message:
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to resume the list from where it left off."
                )
            }
        } else if options.resourceVersionMatch == "Exact", let requested = options.resourceVersion.flatMap(Int64.init) {
            if requested < compactedResourceVersion {
                throw APIError.expired(requested: requested, oldest: compactedResourceVersion + 1)
            }
            listVersion = min(requested, resourceVersion)
        }
        let snapshot = try state(of: resource, at: listVersion)
        var keys = snapshot.keys.filter { key in namespace.map { key.namespace == $0 } ?? true }.sorted()
        if let startAfter { keys = keys.filter { $0 > startAfter } }
        var items: [JSONValue] = []
        var continueToken: String?
        var remaining = 0
        for (offset, key) in keys.enumerated() {
            let object = snapshot[key]!
            guard options.labelSelector.matches(object.labels), options.fieldSelector.matches(object) else { continue }
            if let limit = options.limit, limit > 0, items.count == limit {
                continueToken = ContinueToken(resourceVersion: listVersion, startAfter: keys[offset - 1]).encoded
                remaining =
                    keys[offset...].filter {
                        options.labelSelector.matches(snapshot[$0]!.labels)
                            && options.fieldSelector.matches(snapshot[$0]!)
                    }.count
                break
            }
            items.append(present(object, as: resource))
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(listVersion))]
        if let continueToken {
            metadata["continue"] = .string(continueToken)
            if options.labelSelector.isEmpty && options.fieldSelector.isEmpty {
                metadata["remainingItemCount"] = .int(Int64(remaining))
            }
        }
        return [
            "kind": .string(resource.kind + "List"), "apiVersion": .string(resource.apiVersion), "metadata": metadata,
            "items": .array(items),
        ]
    }

    /// The objects of a resource as they were at `version`, rebuilt by undoing newer events.
    private func state(of resource: ResourceType, at version: Int64) throws(APIError) -> [ObjectKey: JSONValue] {
        var state = objects[resource.storageKey] ?? [:]
        guard version < resourceVersion else { return state }
        for event in history.reversed() where event.resourceVersion > version && event.storageKey == resource.storageKey
        {
            let key = ObjectKey(namespace: event.object.namespace, name: event.object.name)
            state[key] = event.previous
        }
        return state
    }

    /// Events after `version` for a watch; 410 Expired when they are no longer all retained.
    public func events(after version: Int64) throws(APIError) -> [StoredEvent] {
        if version < compactedResourceVersion {
            throw APIError.expired(requested: version, oldest: compactedResourceVersion + 1)
        }
        return history.filter { $0.resourceVersion > version }
    }

    /// Every object of a resource (all namespaces), for a watch's initial ADDED events.
    public func allObjects(_ resource: ResourceType, namespace: String?) -> [JSONValue] {
        (objects[resource.storageKey] ?? [:]).filter { key, _ in namespace.map { key.namespace == $0 } ?? true }
            .sorted { $0.key < $1.key }.map { present($0.value, as: resource) }
    }

    /// Events committed since the last call, for delivery to live watches.
    public mutating func drainEvents() -> [StoredEvent] {
        defer { undelivered = [] }
        return undelivered
    }

    /// Stamps the object with the served version's `apiVersion` and `kind`.
    func present(_ object: JSONValue, as resource: ResourceType) -> JSONValue {
        var copy = object
        copy["apiVersion"] = .string(resource.apiVersion)
        copy["kind"] = .string(resource.kind)
        return copy
    }

    // MARK: - Writes

    public mutating func create(
        _ body: JSONValue,
        resource: ResourceType,
        namespace: String,
        manager: String,
        fieldValidation: FieldValidation = .warn
    ) throws(APIError) -> WriteResult {
        var object = body
        if object.name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            object[path: ["metadata", "name"]] = .string(prefix + Self.randomSuffix())
        }
        let name = object.name
        if name.isEmpty {
            throw APIError.invalid(
                resource,
                name: "",
                errors: [FieldError(.required, field: "metadata.name", detail: "name or generateName is required")]
            )
        }
        if objects[resource.storageKey]?[key(resource, namespace, name)] != nil {
            throw APIError.alreadyExists(resource, name: name)
        }
        return try write(
            resource: resource,
            namespace: namespace,
            old: nil,
            proposed: object,
            subresource: "",
            ownership: .update(manager),
            fieldValidation: fieldValidation
        )
    }

    /// PUT: replaces the object (or its status). A `metadata.resourceVersion` in the body must be
    /// the current one (409 Conflict otherwise); without one the update is unconditional.
    public mutating func update(
        _ body: JSONValue,
        resource: ResourceType,
        namespace: String,
        name: String,
        subresource: String = "",
        manager: String,
        fieldValidation: FieldValidation = .warn
    ) throws(APIError) -> WriteResult {
        if !body.name.isEmpty && body.name != name {
            throw APIError.badRequest(
                "the name of the object (\(body.name)) does not match the name on the URL (\(name))"
            )
        }
        guard let old = objects[resource.storageKey]?[key(resource, namespace, name)] else {
            throw APIError.notFound(resource, name: name)
        }
        var object = body
        object[path: ["metadata", "name"]] = .string(name)
        return try write(
            resource: resource,
            namespace: namespace,
            old: old,
            proposed: object,
            subresource: subresource,
            ownership: .update(manager),
            fieldValidation: fieldValidation
        )
    }

    /// PATCH with any of the four patch types; an apply patch creates a missing object.
    public mutating func patch(
        _ body: JSONValue,
        type: PatchType,
        resource: ResourceType,
        namespace: String,
        name: String,
        subresource: String = "",
        manager: String?,
        force: Bool = false,
        fieldValidation: FieldValidation = .warn
    ) throws(APIError) -> WriteResult {
        let old = objects[resource.storageKey]?[key(resource, namespace, name)]
        let patched: JSONValue
        switch type {
        case .apply:
            return try serverSideApply(
                body,
                resource: resource,
                namespace: namespace,
                name: name,
                subresource: subresource,
                old: old,
                manager: manager,
                force: force,
                fieldValidation: fieldValidation
            )
        case .merge:
            guard let old else { throw APIError.notFound(resource, name: name) }
            guard body.objectValue != nil else {
                throw APIError.badRequest(
                    "json: cannot unmarshal \(body.typeName) into Go value of type map[string]interface {}"
                )
            }
            patched = MergePatch.apply(body, to: present(old, as: resource))
        case .json:
            guard let old else { throw APIError.notFound(resource, name: name) }
            do {
                patched = try JSONPatch.apply(body, to: present(old, as: resource))
            } catch {
                throw APIError(code: 422, reason: "Invalid", message: error.description)
            }
        case .strategic:
            guard let old else { throw APIError.notFound(resource, name: name) }
            // The real server has no strategic merge metadata for custom resources either.
            if resource.isCustom { throw APIError.unsupportedMediaType(type.rawValue) }
            do {
                patched = try StrategicMergePatch.apply(body, to: present(old, as: resource), resource: resource)
            } catch {
                throw APIError.badRequest(error.description)
            }
        }
        if patched.name != name {
            throw APIError.badRequest(
                "the name of the object (\(patched.name)) does not match the name on the URL (\(name))"
            )
        }
        return try write(
            resource: resource,
            namespace: namespace,
            old: old,
            proposed: patched,
            subresource: subresource,
            ownership: .update(manager ?? ""),
            fieldValidation: fieldValidation
        )
    }

    /// Server-side apply: the configuration must name the object of the URL, declare only known
    /// fields, and not change fields other managers own (unless forced); a missing object is created.
    private mutating func serverSideApply(
        _ body: JSONValue,
        resource: ResourceType,
        namespace: String,
        name: String,
        subresource: String,
        old: JSONValue?,
        manager: String?,
        force: Bool,
        fieldValidation: FieldValidation
    ) throws(APIError) -> WriteResult {
        guard let manager, !manager.isEmpty else {
            throw APIError.badRequest(
                "PATCH \(resource.qualifiedName) \"\(name)\": fieldManager is required for apply requests"
            )
        }
        guard body.objectValue != nil else {
            throw APIError.badRequest("error decoding YAML: apply patch must be an object")
        }
        if !body.name.isEmpty && body.name != name {
            throw APIError.badRequest(
                "the name of the object (\(body.name)) does not match the name on the URL (\(name))"
            )
        }
        if let kind = body["kind"]?.stringValue, kind != resource.kind {
            throw APIError.badRequest(
                "the kind of the object (\(kind)) does not match the kind on the URL (\(resource.kind))"
            )
        }
        if old == nil, subresource == "status" { throw APIError.notFound(resource, name: name) }
        var config = body
        config[path: ["metadata", "name"]] = .string(name)
        if resource.namespaced { config[path: ["metadata", "namespace"]] = .string(namespace) }
        if let precondition = config.resourceVersion, let old, precondition != old.resourceVersion {
            throw APIError.conflict(resource, name: name)
        }
        if let schema = resource.schema ?? BuiltinSchemas.schema(for: resource) {
            let unknown = SchemaValidator(schema: schema).prune(config).unknownFields
            if !unknown.isEmpty {
                throw APIError.badRequest(
                    "failed to create typed patch object (\(resource.apiVersion), Kind=\(resource.kind)): "
                        + unknown.map { ".\($0): field not declared in schema" }.joined(separator: ", ")
                )
            }
        }
        let applier = ServerSideApply(resource: resource, now: timestamp())
        let merged = try applier.apply(
            config: config,
            to: old.map { present($0, as: resource) },
            manager: manager,
            force: force,
            subresource: subresource
        )
        return try write(
            resource: resource,
            namespace: namespace,
            old: old,
            proposed: merged,
            subresource: subresource,
            ownership: .precomputed,
            fieldValidation: fieldValidation
        )
    }

    public enum PropagationPolicy: String, Sendable {
        case background = "Background"
        case foreground = "Foreground"
        case orphan = "Orphan"
    }

    /// DELETE. With finalizers the object only gets a `deletionTimestamp`; it goes once an update
    /// removes the last finalizer. Dependents (by `ownerReferences[].uid`) are deleted with it,
    /// unless the policy is `Orphan`, which removes their owner references instead.
    public mutating func delete(
        _ resource: ResourceType,
        namespace: String,
        name: String,
        propagationPolicy: PropagationPolicy = .background,
        preconditions: JSONValue? = nil
    ) throws(APIError) -> DeleteResult {
        guard let existing = objects[resource.storageKey]?[key(resource, namespace, name)] else {
            throw APIError.notFound(resource, name: name)
        }
        if let uid = preconditions?["uid"]?.stringValue, uid != existing.uid {
            throw APIError(
                code: 409,
                reason: "Conflict",
                message:
                    "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": Precondition failed: UID in precondition: \(uid), UID in object meta: \(existing.uid)",
                details: APIError.details(name: name, resource: resource)
            )
        }
        if let version = preconditions?["resourceVersion"]?.stringValue, version != existing.resourceVersion {
            throw APIError(
                code: 409,
                reason: "Conflict",
                message:
                    "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(existing.resourceVersion ?? "")",
                details: APIError.details(name: name, resource: resource)
            )
        }
        if propagationPolicy == .orphan { orphanDependents(of: existing.uid) }
        if resource == BuiltinResources.namespace {
            if ["default", "kube-system", "kube-public"].contains(name) {
                throw APIError(
                    code: 403,
                    reason: "Forbidden",
                    message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted",
                    details: APIError.details(name: name, resource: resource)
                )
            }
            return deleteNamespace(existing)
        }
        if !existing.finalizers.isEmpty {
            if existing[path: ["metadata", "deletionTimestamp"]] != nil {
                return DeleteResult(object: present(existing, as: resource), deleted: false)
            }
            var marked = existing
            marked[path: ["metadata", "deletionTimestamp"]] = .string(timestamp())
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
            let stored = commit(resource: resource, old: existing, new: marked)
            return DeleteResult(object: present(stored, as: resource), deleted: false)
        }
        if propagationPolicy == .foreground { deleteDependents(of: existing.uid) }
        let removed = remove(resource: resource, object: existing)
        return DeleteResult(object: present(removed, as: resource), deleted: true)
    }

    // MARK: - The write pipeline

    private enum Ownership {
        /// Record an `Update` by this manager.
        case update(String)
        /// `managedFields` were already computed (server-side apply).
        case precomputed
    }

    private mutating func write(
        resource: ResourceType,
        namespace: String,
        old: JSONValue?,
        proposed body: JSONValue,
        subresource: String,
        ownership: Ownership,
        fieldValidation: FieldValidation
    ) throws(APIError) -> WriteResult {
        if let apiVersion = body["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != resource.apiVersion,
            !(resource.isCustom && apiVersion.hasPrefix(resource.group + "/"))
        {
            throw APIError.badRequest(
                "the API version in the data (\(apiVersion)) does not match the expected API version (\(resource.apiVersion))"
            )
        }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != resource.kind {
            throw APIError.badRequest(
                "the kind of the object (\(kind)) does not match the expected kind (\(resource.kind))"
            )
        }
        var object = present(body, as: resource)
        let name = object.name

        // Namespace of the object must be the request's, and must exist.
        if resource.namespaced {
            let bodyNamespace = object.namespace
            if !bodyNamespace.isEmpty && bodyNamespace != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            }
            object[path: ["metadata", "namespace"]] = .string(namespace)
            if old == nil {
                guard
                    let owningNamespace = objects[BuiltinResources.namespace.storageKey]?[
                        ObjectKey(namespace: "", name: namespace)
                    ]
                else {
                    throw APIError.notFound(BuiltinResources.namespace, name: namespace)
                }
                if owningNamespace[path: ["metadata", "deletionTimestamp"]] != nil {
                    throw APIError(
                        code: 403,
                        reason: "Forbidden",
                        message:
                            "\(resource.qualifiedName) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                        details: APIError.details(
                            name: name,
                            resource: resource,
                            causes: [
                                [
                                    "reason": "NamespaceTerminating",
                                    "message": .string("namespace \(namespace) is being terminated"),
                                    "field": "metadata.namespace",
                                ]
                            ]
                        )
                    )
                }
            }
        } else {
            object[path: ["metadata", "namespace"]] = nil
        }

        // Optimistic concurrency: a resourceVersion in the body must be the current one.
        if let old, let requested = object.resourceVersion, !requested.isEmpty, requested != old.resourceVersion {
            throw APIError.conflict(resource, name: name)
        }

        // Status subresource: the main resource ignores status, /status changes nothing else.
        if subresource == "status" {
            guard var base = old else { throw APIError.notFound(resource, name: name) }
            base["status"] = object["status"]
            base[path: ["metadata", "managedFields"]] = object[path: ["metadata", "managedFields"]]
            object = present(base, as: resource)
        } else if resource.hasStatus {
            object["status"] = old?["status"]
        }

        var warnings: [String] = []
        if let schema = resource.schema ?? BuiltinSchemas.schema(for: resource) {
            let validator = SchemaValidator(schema: schema)
            let pruned = validator.prune(object)
            if !pruned.unknownFields.isEmpty {
                let rendered = pruned.unknownFields.map { "unknown field \"\($0)\"" }
                switch fieldValidation {
                case .strict:
                    let message = "strict decoding error: " + rendered.joined(separator: ", ")
                    throw APIError.badRequest(
                        old == nil
                            ? "\(resource.kind) in version \"\(resource.version)\" cannot be handled as a \(resource.kind): \(message)"
                            : message
                    )
                case .warn: warnings = rendered
                case .ignore: break
                }
            }
            object = pruned.object
            if resource.schema != nil {
                object = validator.applyDefaults(object)
                let errors = validator.validate(object)
                if !errors.isEmpty { throw APIError.invalid(resource, name: name, errors: errors) }
            }
        }
        try validateMetadata(object, old: old, resource: resource)
        try admit(&object, old: old, resource: resource)

        // Server-owned metadata.
        if let old {
            for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
                object[path: ["metadata", field]] = old[path: ["metadata", field]]
            }
            if resource.tracksGeneration, Self.specContent(object, resource) != Self.specContent(old, resource) {
                object[path: ["metadata", "generation"]] = .int(
                    (old[path: ["metadata", "generation"]]?.intValue ?? 0) + 1
                )
            }
        } else {
            object[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
            object[path: ["metadata", "creationTimestamp"]] = .string(timestamp())
            object[path: ["metadata", "generation"]] = resource.tracksGeneration ? 1 : nil
            object[path: ["metadata", "deletionTimestamp"]] = nil
        }
        object[path: ["metadata", "resourceVersion"]] = nil
        object[path: ["metadata", "selfLink"]] = nil

        if case .update(let manager) = ownership {
            if old == nil { object[path: ["metadata", "managedFields"]] = nil }
            ServerSideApply(resource: resource, now: timestamp())
                .recordUpdate(
                    old: old.map { present($0, as: resource) },
                    new: &object,
                    manager: manager,
                    subresource: subresource
                )
        }

        if let old, Self.withoutVolatile(object) == Self.withoutVolatile(old) {
            return WriteResult(object: present(old, as: resource), created: false, warnings: warnings)
        }

        // Removing the last finalizer of a deleted object deletes it (one DELETED event, as the real
        // store deletes instead of updating).
        if let old, object[path: ["metadata", "deletionTimestamp"]] != nil && object.finalizers.isEmpty {
            let removed = remove(resource: resource, object: object, previous: old)
            return WriteResult(object: present(removed, as: resource), created: false, warnings: warnings)
        }
        var stored = commit(resource: resource, old: old, new: object)
        if resource == BuiltinResources.customResourceDefinition {
            if let old {
                let kept = Set(
                    CustomResourceDefinitions.resourceTypes(of: stored).map { "\($0.group)/\($0.version)/\($0.plural)" }
                )
                for type in CustomResourceDefinitions.resourceTypes(of: old)
                where !kept.contains("\(type.group)/\(type.version)/\(type.plural)") {
                    served["\(type.group)/\(type.version)/\(type.plural)"] = nil
                }
            }
            stored = try registerDefinition(stored)
        }
        return WriteResult(object: present(stored, as: resource), created: old == nil, warnings: warnings)
    }

    /// Name format, immutability of name and namespace, and no new finalizers while deleting.
    private func validateMetadata(_ object: JSONValue, old: JSONValue?, resource: ResourceType) throws(APIError) {
        let name = object.name
        var errors: [FieldError] = []
        if !Self.isDNSSubdomain(name) && !(resource.kind == "Namespace" && Self.isDNSLabel(name)) {
            let detail =
                resource.kind == "Namespace"
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            errors.append(FieldError(.invalid, field: "metadata.name", value: .string(name), detail: detail))
        }
        if let old, old[path: ["metadata", "deletionTimestamp"]] != nil {
            let added = object.finalizers.filter { !old.finalizers.contains($0) }
            if !added.isEmpty {
                errors.append(
                    FieldError(
                        .forbidden,
                        field: "metadata.finalizers",
                        detail:
                            "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(added.map { JSONWriter.string(.string($0)) }.joined(separator: ", "))}"
                    )
                )
            }
        }
        if !errors.isEmpty { throw APIError.invalid(resource, name: name, errors: errors) }
    }

    /// Kind-specific behaviour of the built-in registries.
    private mutating func admit(_ object: inout JSONValue, old: JSONValue?, resource: ResourceType) throws(APIError) {
        guard !resource.isCustom else { return }
        switch (resource.group, resource.kind) {
        case ("", "Namespace"):
            object[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(object.name)
            if old == nil {
                object[path: ["spec", "finalizers"]] = ["kubernetes"]
                object["status"] = ["phase": "Active"]
            }
        case ("", "Pod"):
            if old == nil { object["status"] = ["phase": "Pending"] }
            if object[path: ["spec", "containers"]]?.arrayValue?.isEmpty ?? true {
                throw APIError.invalid(
                    resource,
                    name: object.name,
                    errors: [FieldError(.required, field: "spec.containers")]
                )
            }
            if let old, Self.mutablePodSpec(object["spec"]) != Self.mutablePodSpec(old["spec"]) {
                throw APIError.invalid(
                    resource,
                    name: object.name,
                    errors: [
                        FieldError(
                            .forbidden,
                            field: "spec",
                            detail:
                                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
                        )
                    ]
                )
            }
        case ("", "ConfigMap"):
            try checkImmutableData(object, old: old, resource: resource)
        case ("", "Secret"):
            try checkImmutableData(object, old: old, resource: resource)
            if let stringData = object["stringData"]?.objectValue {
                var data = object["data"]?.objectValue ?? [:]
                for (key, value) in stringData {
                    data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
                }
                object["data"] = .object(data)
                object["stringData"] = nil
            }
            if object["type"] == nil { object["type"] = "Opaque" }
        case ("", "Service"):
            if object[path: ["spec", "type"]] == nil { object[path: ["spec", "type"]] = "ClusterIP" }
            if object[path: ["spec", "type"]]?.stringValue != "ExternalName",
                object[path: ["spec", "clusterIP"]] == nil
            {
                let ip =
                    old?[path: ["spec", "clusterIP"]]
                    ?? .string("10.96.\(nextServiceIP / 250).\(nextServiceIP % 250 + 1)")
                if old == nil { nextServiceIP += 1 }
                object[path: ["spec", "clusterIP"]] = ip
                object[path: ["spec", "clusterIPs"]] = [ip]
            }
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            try CustomResourceDefinitions.validate(object)
        default:
            break
        }
    }

    /// A ConfigMap or Secret with `immutable: true` keeps its data (and its immutability).
    private func checkImmutableData(_ object: JSONValue, old: JSONValue?, resource: ResourceType) throws(APIError) {
        guard let old, old["immutable"]?.boolValue == true else { return }
        var errors: [FieldError] = []
        if object["immutable"]?.boolValue != true {
            errors.append(
                FieldError(.forbidden, field: "immutable", detail: "field is immutable when `immutable` is set")
            )
        }
        var data = object["data"]
        if resource.kind == "Secret", let stringData = object["stringData"]?.objectValue {
            var merged = data?.objectValue ?? [:]
            for (key, value) in stringData {
                merged[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
            }
            data = .object(merged)
        }
        if data != old["data"] {
            errors.append(FieldError(.forbidden, field: "data", detail: "field is immutable when `immutable` is set"))
        }
        if object["binaryData"] != old["binaryData"] {
            errors.append(
                FieldError(.forbidden, field: "binaryData", detail: "field is immutable when `immutable` is set")
            )
        }
        if !errors.isEmpty { throw APIError.invalid(resource, name: object.name, errors: errors) }
    }

    /// A pod spec with the fields an update may change blanked out; anything else must stay.
    static func mutablePodSpec(_ spec: JSONValue?) -> JSONValue? {
        guard var spec else { return nil }
        for list in ["containers", "initContainers"] {
            if let items = spec[list]?.arrayValue {
                spec[list] = .array(
                    items.map { item in
                        var copy = item
                        copy["image"] = nil
                        return copy
                    }
                )
            }
        }
        for field in [
            "activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", "schedulingGates", "nodeName",
        ] {
            spec[field] = nil
        }
        return spec
    }

    /// Stores a new state of an object under the next resource version and records the event.
    @discardableResult
    private mutating func commit(resource: ResourceType, old: JSONValue?, new: JSONValue) -> JSONValue {
        resourceVersion += 1
        var stored = new
        stored[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let objectKey = key(resource, stored.namespace, stored.name)
        objects[resource.storageKey, default: [:]][objectKey] = stored
        record(
            StoredEvent(
                resourceVersion: resourceVersion,
                type: old == nil ? .added : .modified,
                storageKey: resource.storageKey,
                namespace: stored.namespace,
                object: stored,
                previous: old
            )
        )
        return stored
    }

    /// Removes an object for good (DELETED event) and garbage-collects its dependents.
    private mutating func remove(resource: ResourceType, object: JSONValue, previous: JSONValue? = nil) -> JSONValue {
        if resource == BuiltinResources.customResourceDefinition {
            // As the CRD's cleanup finalizer does it: its custom resources go first.
            unregisterDefinition(object)
        }
        resourceVersion += 1
        var last = object
        last[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let objectKey = key(resource, object.namespace, object.name)
        objects[resource.storageKey]?[objectKey] = nil
        record(
            StoredEvent(
                resourceVersion: resourceVersion,
                type: .deleted,
                storageKey: resource.storageKey,
                namespace: object.namespace,
                object: last,
                previous: previous ?? object
            )
        )
        deleteDependents(of: object.uid)
        if resource.namespaced { finishNamespaceIfTerminating(object.namespace) }
        return last
    }

    private mutating func record(_ event: StoredEvent) {
        history.append(event)
        undelivered.append(event)
        trimHistory()
    }

    private mutating func trimHistory() {
        let excess = history.count - historySize
        guard excess > 0 else { return }
        compactedResourceVersion = history[excess - 1].resourceVersion
        history.removeFirst(excess)
    }

    // MARK: - Garbage collection

    private func dependents(of uid: String) -> [(ResourceType, JSONValue)] {
        guard !uid.isEmpty else { return [] }
        var result: [(ResourceType, JSONValue)] = []
        for resource in storageResources() {
            for object in (objects[resource.storageKey] ?? [:]).values.sorted(by: {
                ($0.namespace, $0.name) < ($1.namespace, $1.name)
            }) {
                let owners = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
                if owners.contains(where: { $0["uid"]?.stringValue == uid }) { result.append((resource, object)) }
            }
        }
        return result
    }

    private mutating func deleteDependents(of uid: String) {
        for (resource, dependent) in dependents(of: uid) {
            _ = try? delete(resource, namespace: dependent.namespace, name: dependent.name)
        }
    }

    private mutating func orphanDependents(of uid: String) {
        for (resource, dependent) in dependents(of: uid) {
            var updated = dependent
            let owners =
                dependent[path: ["metadata", "ownerReferences"]]?.arrayValue?.filter { $0["uid"]?.stringValue != uid }
                ?? []
            updated[path: ["metadata", "ownerReferences"]] = owners.isEmpty ? nil : .array(owners)
            commit(resource: resource, old: dependent, new: updated)
        }
    }

    /// A namespace is `Terminating` while its contents are deleted (objects held by finalizers keep
    /// it so); it goes when the last object in it does, as the namespace controller would do it.
    private mutating func deleteNamespace(_ namespace: JSONValue) -> DeleteResult {
        let resource = BuiltinResources.namespace
        var current = namespace
        if namespace[path: ["metadata", "deletionTimestamp"]] == nil {
            var marked = namespace
            marked[path: ["metadata", "deletionTimestamp"]] = .string(timestamp())
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
            marked[path: ["status", "phase"]] = "Terminating"
            current = commit(resource: resource, old: namespace, new: marked)
        }
        for type in storageResources() where type.namespaced {
            for object in (objects[type.storageKey] ?? [:]).values.sorted(by: { $0.name < $1.name })
            where object.namespace == namespace.name {
                _ = try? delete(type, namespace: namespace.name, name: object.name)
            }
        }
        guard let remaining = objects[resource.storageKey]?[ObjectKey(namespace: "", name: namespace.name)] else {
            return DeleteResult(object: present(current, as: resource), deleted: true)  // went with its last object
        }
        if remaining.finalizers.isEmpty && isEmptyNamespace(namespace.name) {
            return DeleteResult(
                object: present(remove(resource: resource, object: remaining), as: resource),
                deleted: true
            )
        }
        return DeleteResult(object: present(remaining, as: resource), deleted: false)
    }

    private func isEmptyNamespace(_ name: String) -> Bool {
        !storageResources().contains { type in
            type.namespaced && (objects[type.storageKey] ?? [:]).keys.contains { $0.namespace == name }
        }
    }

    /// After an object leaves a terminating namespace, the namespace goes once it is empty.
    private mutating func finishNamespaceIfTerminating(_ name: String) {
        let key = ObjectKey(namespace: "", name: name)
        guard let namespace = objects[BuiltinResources.namespace.storageKey]?[key],
            namespace[path: ["metadata", "deletionTimestamp"]] != nil,
            namespace.finalizers.isEmpty, isEmptyNamespace(name)
        else { return }
        _ = remove(resource: BuiltinResources.namespace, object: namespace)
    }

    /// One served resource per storage key (the first version), for scans across all kinds.
    private func storageResources() -> [ResourceType] {
        var seen: Set<String> = []
        return servedResources.filter { seen.insert($0.storageKey).inserted }
    }

    // MARK: - Custom resource definitions

    private mutating func registerDefinition(_ crd: JSONValue) throws(APIError) -> JSONValue {
        let types = CustomResourceDefinitions.resourceTypes(of: crd)
        for type in types { register(type) }
        guard crd[path: ["metadata", "deletionTimestamp"]] == nil else { return crd }
        let status = CustomResourceDefinitions.status(of: crd, now: timestamp())
        guard crd["status"] != status else { return crd }
        var updated = crd
        updated["status"] = status
        return commit(resource: BuiltinResources.customResourceDefinition, old: crd, new: updated)
    }

    private mutating func unregisterDefinition(_ crd: JSONValue) {
        let types = CustomResourceDefinitions.resourceTypes(of: crd)
        if let first = types.first {
            for object in (objects[first.storageKey] ?? [:]).values.sorted(by: {
                ($0.namespace, $0.name) < ($1.namespace, $1.name)
            }) {
                _ = remove(resource: first, object: object)
            }
        }
        for type in types { served["\(type.group)/\(type.version)/\(type.plural)"] = nil }
    }

    // MARK: - Helpers

    private func key(_ resource: ResourceType, _ namespace: String, _ name: String) -> ObjectKey {
        ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
    }

    /// What `generation` tracks: everything but metadata and (with a status subresource) status.
    static func specContent(_ object: JSONValue, _ resource: ResourceType) -> JSONValue {
        var copy = object
        for key in ["metadata", "apiVersion", "kind"] { copy[key] = nil }
        if resource.hasStatus || copy["spec"] != nil { copy["status"] = nil }
        return copy
    }

    /// An object without the fields every write changes, to detect no-op writes.
    static func withoutVolatile(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy[path: ["metadata", "resourceVersion"]] = nil
        copy[path: ["metadata", "managedFields"]] = nil
        copy["apiVersion"] = nil
        copy["kind"] = nil
        return copy
    }

    func timestamp() -> String { Self.format(now()) }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }

    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            isDNSLabel(String($0), maxLength: 253)
        }
    }

    static func isDNSLabel(_ name: String, maxLength: Int = 63) -> Bool {
        guard !name.isEmpty, name.count <= maxLength, let first = name.first, let last = name.last else { return false }
        let allowed: (Character) -> Bool = { ($0.isASCII && $0.isLowercase) || $0.isNumber || $0 == "-" }
        return name.allSatisfy(allowed) && first != "-" && last != "-" && first.isASCII && last.isASCII
    }
}

/// The opaque `continue` token: the list's resourceVersion and the last key returned.
struct ContinueToken {
    var resourceVersion: Int64
    var startAfter: ObjectKey

    init(resourceVersion: Int64, startAfter: ObjectKey) {
        self.resourceVersion = resourceVersion
        self.startAfter = startAfter
    }

    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let json = try? JSONParser.parse(Array(data)),
            let version = json["rv"]?.intValue, let namespace = json["ns"]?.stringValue,
            let name = json["name"]?.stringValue
        else { return nil }
        self.init(resourceVersion: version, startAfter: ObjectKey(namespace: namespace, name: name))
    }

    var encoded: String {
        let json: JSONValue = [
            "rv": .int(resourceVersion), "ns": .string(startAfter.namespace), "name": .string(startAfter.name),
        ]
        return Data(JSONWriter.bytes(json)).base64EncodedString()
    }
}
