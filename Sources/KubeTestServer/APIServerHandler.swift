import Foundation

/// An HTTP request, transport-independent: what ``APIServerHandler`` needs to answer it.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The authenticated user (`system:anonymous` without authentication).
    public var user: String

    public init(method: String, uri: String, headers: [(String, String)], body: [UInt8], user: String) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = Self.percentDecode(String(parts.first ?? ""), plusIsSpace: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = Self.percentDecode(String(keyValue[0]), plusIsSpace: true)
                query[key] = keyValue.count == 2 ? Self.percentDecode(String(keyValue[1]), plusIsSpace: true) : ""
            }
        }
        self.query = query
        self.headers = headers
        self.body = body
        self.user = user
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// URL query decoding as Go's `url.ParseQuery` does it (`+` is a space).
    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else if byte == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A response: complete, or streamed chunk by chunk (watches, followed logs).
public enum APIResponse: Sendable {
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    case stream(status: Int, headers: [(String, String)], chunks: AsyncStream<[UInt8]>)

    static func json(_ value: JSONValue, status: Int = 200, warnings: [String] = []) -> APIResponse {
        var headers = [("Content-Type", "application/json")]
        for warning in warnings { headers.append(("Warning", "299 - \(JSONWriter.string(.string(warning)))")) }
        return .full(status: status, headers: headers, body: JSONWriter.bytes(value))
    }

    static func error(_ error: APIError) -> APIResponse { .json(error.status, status: error.code) }

    public var statusCode: Int {
        switch self {
        case .full(let status, _, _), .stream(let status, _, _): status
        }
    }
}

/// Answers Kubernetes API requests against a ``KubeCluster``: discovery, OpenAPI, and the REST
/// verbs on every served resource, with the real server's paths, status codes and bodies.
public struct APIServerHandler: Sendable {
    public let cluster: KubeCluster
    let serverAddress: String
    /// How often watches that allow bookmarks get one.
    let bookmarkInterval: Duration

    public init(cluster: KubeCluster, serverAddress: String, bookmarkInterval: Duration = .seconds(1)) {
        self.cluster = cluster
        self.serverAddress = serverAddress
        self.bookmarkInterval = bookmarkInterval
    }

    /// What a resource path addresses.
    struct ResourcePath {
        var group: String
        var version: String
        var plural: String
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        var record = RequestRecord(
            method: request.method,
            path: request.path,
            query: request.query,
            verb: nil,
            resource: nil,
            subresource: nil,
            namespace: nil,
            name: nil,
            userAgent: request.header("User-Agent") ?? "",
            user: request.user,
            statusCode: 0
        )
        let response: APIResponse
        do {
            response = try route(request, record: &record)
        } catch {
            response = .error(error)
        }
        record.statusCode = response.statusCode
        cluster.record(record)
        return response
    }

    private func route(_ request: APIRequest, record: inout RequestRecord) throws(APIError) -> APIResponse {
        var request = request
        var segments = request.path.split(separator: "/").map(String.init)
        // The deprecated `/watch/` prefix (`/api/v1/watch/...`, `/apis/G/V/watch/...`) is a watch.
        let watchIndex = segments.first == "api" ? 2 : 3
        if segments.count > watchIndex, segments[watchIndex] == "watch", ["api", "apis"].contains(segments.first) {
            segments.remove(at: watchIndex)
            request.query["watch"] = "true"
        }
        let served = try cluster.read { $0.servedResources }
        let discovery = Discovery(resources: served, serverAddress: serverAddress)
        switch segments.first {
        case "version" where segments.count == 1: return .json(Discovery.version)
        case "healthz", "readyz", "livez":
            return .full(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8))
        case "openapi" where segments.count >= 2 && segments[1] == "v3":
            let documents = OpenAPIDocuments(resources: served)
            if segments.count == 2 { return .json(documents.index) }
            guard let document = documents.document(for: segments.dropFirst(2).joined(separator: "/")) else {
                throw APIError.notFoundPath(request.path)
            }
            return .json(document)
        case "api":
            if segments.count == 1 { return .json(discovery.apiVersions) }
            if segments.count == 2 {
                guard let list = discovery.resourceList(group: "", version: segments[1]) else {
                    throw APIError.notFoundPath(request.path)
                }
                return .json(list)
            }
            return try resourceRequest(
                request,
                path: try parseResourcePath(group: "", version: segments[1], rest: Array(segments.dropFirst(2))),
                record: &record
            )
        case "apis":
            if segments.count == 1 { return .json(discovery.apiGroupList) }
            if segments.count == 2 {
                guard let group = discovery.apiGroup(segments[1]) else { throw APIError.notFoundPath(request.path) }
                return .json(group)
            }
            if segments.count == 3 {
                guard let list = discovery.resourceList(group: segments[1], version: segments[2]) else {
                    throw APIError.notFoundPath(request.path)
                }
                return .json(list)
            }
            return try resourceRequest(
                request,
                path: try parseResourcePath(
                    group: segments[1],
                    version: segments[2],
                    rest: Array(segments.dropFirst(3))
                ),
                record: &record
            )
        default:
            throw APIError.notFoundPath(request.path)
        }
    }

    func parseResourcePath(group: String, version: String, rest: [String]) throws(APIError) -> ResourcePath {
        var rest = rest
        var namespace: String?
        // `namespaces/NAME[/status]` is the Namespace itself; `namespaces/NS/RESOURCE...` is scoped.
        if rest.first == "namespaces", rest.count >= 3,
            !(group.isEmpty && ["status", "finalize"].contains(rest[2]) && rest.count == 3)
        {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, rest.count <= 3 else { throw APIError.notFoundPath(rest.joined(separator: "/")) }
        return ResourcePath(
            group: group,
            version: version,
            plural: plural,
            namespace: namespace,
            name: rest.count > 1 ? rest[1] : nil,
            subresource: rest.count > 2 ? rest[2] : nil
        )
    }

    // MARK: - Resource verbs

    private func resourceRequest(
        _ request: APIRequest,
        path: ResourcePath,
        record: inout RequestRecord
    ) throws(APIError) -> APIResponse {
        record.resource = path.plural
        record.namespace = path.namespace
        record.name = path.name
        record.subresource = path.subresource
        guard let resource = cluster.resource(group: path.group, version: path.version, plural: path.plural) else {
            throw APIError.notFoundPath(request.path)
        }
        if let subresource = path.subresource,
            !(subresource == "status" && resource.hasStatus) && !(subresource == "log" && resource.hasLog)
        {
            throw APIError.notFoundPath(request.path)
        }
        let namespace = resource.namespaced ? path.namespace : nil
        if !resource.namespaced && path.namespace != nil { throw APIError.notFoundPath(request.path) }
        let query = request.query
        let dryRun = query["dryRun"] == "All"
        let fieldValidation = ClusterStore.FieldValidation(rawValue: query["fieldValidation"] ?? "Warn") ?? .warn
        let subresource = path.subresource ?? ""

        switch (request.method, path.name) {
        case ("GET", nil):
            if query["watch"] == "true" || query["watch"] == "1" {
                record.verb = "watch"
                return try watch(request, resource: resource, namespace: namespace)
            }
            record.verb = "list"
            let options = try listOptions(query, resource: resource)
            let list = try cluster.read { (store) throws(APIError) -> JSONValue in
                try store.list(resource, namespace: namespace, options: options)
            }
            if wantsTable(request) {
                return .json(
                    TableConverter(resource: resource).table(
                        list["items"]?.arrayValue ?? [],
                        metadata: list["metadata"] ?? [:],
                        includeObject: query["includeObject"] ?? "Metadata"
                    )
                )
            }
            return .json(list)
        case ("GET", let name?):
            record.verb = "get"
            if subresource == "log" { return try logs(request, namespace: namespace ?? "", pod: name) }
            let object = try cluster.get(resource, namespace: namespace ?? "", name: name)
            if wantsTable(request) {
                return .json(
                    TableConverter(resource: resource).table(
                        [object],
                        metadata: ["resourceVersion": .string(object.resourceVersion ?? "")],
                        includeObject: query["includeObject"] ?? "Metadata"
                    )
                )
            }
            return .json(object)
        case ("POST", nil):
            record.verb = "create"
            let body = try decodeBody(request)
            let targetNamespace =
                resource.namespaced ? (namespace ?? (body.namespace.isEmpty ? "default" : body.namespace)) : ""
            let manager = fieldManager(request)
            let result = try cluster.write(dryRun: dryRun) { (store) throws(APIError) -> ClusterStore.WriteResult in
                try store.create(
                    body,
                    resource: resource,
                    namespace: targetNamespace,
                    manager: manager,
                    fieldValidation: fieldValidation
                )
            }
            return .json(result.object, status: 201, warnings: result.warnings)
        case ("PUT", let name?):
            record.verb = "update"
            let body = try decodeBody(request)
            let manager = fieldManager(request)
            let result = try cluster.write(dryRun: dryRun) { (store) throws(APIError) -> ClusterStore.WriteResult in
                try store.update(
                    body,
                    resource: resource,
                    namespace: namespace ?? "",
                    name: name,
                    subresource: subresource,
                    manager: manager,
                    fieldValidation: fieldValidation
                )
            }
            return .json(result.object, status: result.created ? 201 : 200, warnings: result.warnings)
        case ("PATCH", let name?):
            record.verb = "patch"
            let contentType =
                (request.header("Content-Type") ?? "").split(separator: ";").first.map {
                    String($0).trimmingWhitespace()
                } ?? ""
            guard let type = ClusterStore.PatchType(rawValue: contentType) else {
                throw APIError.unsupportedMediaType(contentType)
            }
            let body = try decodeBody(request, yaml: type == .apply)
            let manager = type == .apply ? query["fieldManager"] : fieldManager(request)
            let force = query["force"] == "true"
            let result = try cluster.write(dryRun: dryRun) { (store) throws(APIError) -> ClusterStore.WriteResult in
                try store.patch(
                    body,
                    type: type,
                    resource: resource,
                    namespace: namespace ?? "",
                    name: name,
                    subresource: subresource,
                    manager: manager,
                    force: force,
                    fieldValidation: fieldValidation
                )
            }
            return .json(result.object, status: result.created ? 201 : 200, warnings: result.warnings)
        case ("DELETE", let name?):
            record.verb = "delete"
            let options = request.body.isEmpty ? JSONValue.object([:]) : try decodeBody(request)
            let policy = try propagationPolicy(query, options: options)
            let result = try cluster.write(dryRun: dryRun || options["dryRun"]?.arrayValue?.contains("All") == true) {
                (store) throws(APIError) -> ClusterStore.DeleteResult in
                try store.delete(
                    resource,
                    namespace: namespace ?? "",
                    name: name,
                    propagationPolicy: policy,
                    preconditions: options["preconditions"]
                )
            }
            // Pending (finalizers): 202 with the object. Gone: the object for kinds whose registry
            // returns it (custom resources, pods, namespaces, services), else a success Status.
            if !result.deleted { return .json(result.object, status: 202) }
            if resource.isCustom || (resource.group.isEmpty && ["Pod", "Namespace", "Service"].contains(resource.kind))
            {
                return .json(result.object)
            }
            var details = APIError.details(name: name, resource: resource)
            details["uid"] = .string(result.object.uid)
            return .json([
                "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "details": details,
            ])
        case ("DELETE", nil):
            record.verb = "deletecollection"
            let options = try listOptions(query, resource: resource)
            let body = request.body.isEmpty ? JSONValue.object([:]) : try decodeBody(request)
            let policy = try propagationPolicy(query, options: body)
            let deleted = try cluster.write(dryRun: dryRun) { (store) throws(APIError) -> JSONValue in
                var list = try store.list(resource, namespace: namespace, options: options)
                var items: [JSONValue] = []
                for item in list["items"]?.arrayValue ?? [] {
                    items.append(
                        try store.delete(
                            resource,
                            namespace: item.namespace,
                            name: item.name,
                            propagationPolicy: policy
                        ).object
                    )
                }
                list["items"] = .array(items)
                return list
            }
            return .json(deleted)
        default:
            throw APIError.methodNotAllowed()
        }
    }

    private func wantsTable(_ request: APIRequest) -> Bool {
        guard let accept = request.header("Accept") else { return false }
        return accept.split(separator: ",").first { $0.contains("as=Table") }.map {
            $0.contains("v=v1") && !$0.contains("v=v1beta1")
        } ?? false
    }

    /// `fieldManager`, or the user agent up to its first `/`, as the real server defaults it.
    private func fieldManager(_ request: APIRequest) -> String {
        if let manager = request.query["fieldManager"], !manager.isEmpty { return manager }
        let agent = request.header("User-Agent") ?? ""
        let prefix = agent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return String(prefix.prefix(128))
    }

    private func propagationPolicy(
        _ query: [String: String],
        options: JSONValue
    ) throws(APIError) -> ClusterStore.PropagationPolicy {
        if let text = query["propagationPolicy"] ?? options["propagationPolicy"]?.stringValue {
            guard let policy = ClusterStore.PropagationPolicy(rawValue: text) else {
                throw APIError.badRequest(
                    "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(text)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                )
            }
            return policy
        }
        if options["orphanDependents"]?.boolValue == true || query["orphanDependents"] == "true" { return .orphan }
        return .background
    }

    private func listOptions(
        _ query: [String: String],
        resource: ResourceType
    ) throws(APIError) -> ClusterStore.ListOptions {
        var options = ClusterStore.ListOptions()
        if let selector = query["labelSelector"] { options.labelSelector = try LabelSelectorQuery(parsing: selector) }
        if let selector = query["fieldSelector"] {
            options.fieldSelector = try FieldSelectorQuery(parsing: selector, for: resource)
        }
        if let limit = query["limit"] { options.limit = Int(limit) }
        options.continueToken = query["continue"]
        options.resourceVersion = query["resourceVersion"]
        options.resourceVersionMatch = query["resourceVersionMatch"]
        return options
    }

    private func decodeBody(_ request: APIRequest, yaml: Bool = false) throws(APIError) -> JSONValue {
        let contentType = request.header("Content-Type") ?? "application/json"
        if contentType.contains("protobuf") {
            throw APIError(
                code: 415,
                reason: "UnsupportedMediaType",
                message:
                    "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
            )
        }
        if let json = try? JSONParser.parse(request.body) { return json }
        if yaml || contentType.contains("yaml") {
            do {
                return try YAMLDocuments.parseSingle(String(decoding: request.body, as: UTF8.self))
            } catch {
                throw APIError.badRequest("error decoding YAML: \(error)")
            }
        }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw APIError.badRequest("couldn't get version/kind; json parse error: \(error)")
        }
    }

    // MARK: - Watch

    private func watch(
        _ request: APIRequest,
        resource: ResourceType,
        namespace: String?
    ) throws(APIError) -> APIResponse {
        let query = request.query
        let options = try listOptions(query, resource: resource)
        let filter = WatchFilter(
            resource: resource,
            namespace: namespace,
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector
        )
        let table = wantsTable(request)
        let converter = TableConverter(resource: resource)
        let includeObject = query["includeObject"] ?? "Metadata"
        let encode: @Sendable (WatchEvent) -> [UInt8] = { event in
            var object = event.object
            if table && (event.type == .added || event.type == .modified || event.type == .deleted) {
                object = converter.table([object], includeObject: includeObject)
            }
            return JSONWriter.bytes(WatchEvent(type: event.type, object: object).json) + [UInt8(ascii: "\n")]
        }
        let headers = [("Content-Type", "application/json"), ("Cache-Control", "no-cache, private")]
        let (chunks, output) = AsyncStream<[UInt8]>.makeStream()
        let opened: (events: AsyncStream<WatchEvent>, id: Int)
        do {
            opened = try cluster.watch(
                filter,
                resourceVersion: query["resourceVersion"],
                sendInitialEvents: query["sendInitialEvents"] == "true"
            )
        } catch {
            // As the real server: 200, then one ERROR event carrying the Status, then the end.
            output.yield(encode(WatchEvent(type: .error, object: error.status)))
            output.finish()
            return .stream(status: 200, headers: headers, chunks: chunks)
        }
        let cluster = self.cluster
        let bookmarks = query["allowWatchBookmarks"] == "true"
        let interval = bookmarkInterval
        let timeout = query["timeoutSeconds"].flatMap(Int.init)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in opened.events { output.yield(encode(event)) }
                }
                if bookmarks {
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: interval)
                            if !Task.isCancelled { cluster.bookmark(opened.id) }
                        }
                    }
                }
                if let timeout {
                    group.addTask { try? await Task.sleep(for: .seconds(timeout)) }
                }
                await group.next()
                group.cancelAll()
            }
            cluster.stopWatch(opened.id)
            output.finish()
        }
        output.onTermination = { _ in task.cancel() }
        return .stream(status: 200, headers: headers, chunks: chunks)
    }

    // MARK: - Logs

    private func logs(_ request: APIRequest, namespace: String, pod name: String) throws(APIError) -> APIResponse {
        let pod = try cluster.get(BuiltinResources.pod, namespace: namespace, name: name)
        let containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let container: String
        if let requested = request.query["container"], !requested.isEmpty {
            guard containers.contains(requested) else {
                throw APIError.badRequest("container \(requested) is not valid for pod \(name)")
            }
            container = requested
        } else if containers.count == 1 {
            container = containers[0]
        } else {
            throw APIError.badRequest(
                "a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]"
            )
        }
        let key = PodLogs.Key(namespace: namespace, pod: name, container: container)
        let timestamps = request.query["timestamps"] == "true"
        let since = request.query["sinceTime"].flatMap { try? Date($0, strategy: .iso8601) }
        let tail = request.query["tailLines"].flatMap(Int.init)
        let render: @Sendable (PodLogs.Line) -> [UInt8] = { line in
            let prefix =
                timestamps ? line.time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) + " " : ""
            return Array((prefix + line.text + "\n").utf8)
        }
        let keep: @Sendable (PodLogs.Line) -> Bool = { line in since.map { line.time >= $0 } ?? true }
        let headers = [("Content-Type", "text/plain")]
        guard request.query["follow"] == "true" else {
            var lines = cluster.logLines(key).filter(keep)
            if let tail { lines = Array(lines.suffix(tail)) }
            return .full(status: 200, headers: headers, body: lines.flatMap(render))
        }
        var (existing, stream) = cluster.followLog(key)
        existing = existing.filter(keep)
        if let tail { existing = Array(existing.suffix(tail)) }
        let (chunks, output) = AsyncStream<[UInt8]>.makeStream()
        for line in existing { output.yield(render(line)) }
        guard let stream else {
            output.finish()
            return .stream(status: 200, headers: headers, chunks: chunks)
        }
        let task = Task {
            for await line in stream { output.yield(render(line)) }
            output.finish()
        }
        output.onTermination = { _ in task.cancel() }
        return .stream(status: 200, headers: headers, chunks: chunks)
    }
}
