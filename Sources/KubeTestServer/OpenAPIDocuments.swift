/// OpenAPI v3 documents, enough for kubectl: `/openapi/v3` lists one document per group-version,
/// and each document declares, per kind, a PATCH operation that accepts `fieldValidation` (so
/// `kubectl apply` leaves validation to the server) and a component schema tagged with
/// `x-kubernetes-group-version-kind` (so `kubectl explain` finds it). Custom resources carry their
/// CRD schema; built-in kinds a minimal object schema.
public struct OpenAPIDocuments: Sendable {
    public let resources: [ResourceType]

    public init(resources: [ResourceType]) { self.resources = resources }

    /// `api/v1`, `apis/apps/v1`, ...: the keys of the index.
    var groupVersionPaths: [String] {
        var seen: [String] = []
        for resource in resources {
            let path = resource.group.isEmpty ? "api/\(resource.version)" : "apis/\(resource.group)/\(resource.version)"
            if !seen.contains(path) { seen.append(path) }
        }
        return seen
    }

    public var index: JSONValue {
        var paths: [String: JSONValue] = [:]
        for path in groupVersionPaths {
            let hash = document(for: path).map { Self.hash(JSONWriter.string($0)) } ?? "0"
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// The document for `api/v1` or `apis/GROUP/VERSION`, or nil if no such group-version is served.
    public func document(for path: String) -> JSONValue? {
        let matching = resources.filter {
            ($0.group.isEmpty ? "api/\($0.version)" : "apis/\($0.group)/\($0.version)") == path
        }
        guard !matching.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        for resource in matching {
            let gvk: JSONValue = [
                "group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind),
            ]
            let prefix = "/\(path)" + (resource.namespaced ? "/namespaces/{namespace}" : "") + "/\(resource.plural)"
            let schemaName = Self.schemaName(resource)
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(schemaName)")]
            let body: JSONValue = [
                "content": [
                    "application/json": ["schema": reference], "application/merge-patch+json": ["schema": reference],
                    "application/json-patch+json": ["schema": reference],
                    "application/apply-patch+yaml": ["schema": reference],
                ]
            ]
            let parameters: JSONValue = [
                [
                    "name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true],
                    "description":
                        "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.",
                ],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ]
            func operation(_ action: String, _ id: String, requestBody: Bool) -> JSONValue {
                var op: JSONValue = [
                    "operationId": .string(id), "x-kubernetes-action": .string(action),
                    "x-kubernetes-group-version-kind": gvk,
                    "parameters": parameters,
                    "responses": [
                        "200": ["description": "OK", "content": ["application/json": ["schema": reference]]]
                    ],
                ]
                if requestBody { op["requestBody"] = body }
                return op
            }
            paths[prefix + "/{name}"] = [
                "get": operation("get", "read\(resource.kind)", requestBody: false),
                "put": operation("put", "replace\(resource.kind)", requestBody: true),
                "patch": operation("patch", "patch\(resource.kind)", requestBody: true),
                "delete": operation("delete", "delete\(resource.kind)", requestBody: false),
            ]
            paths[prefix] = [
                "get": operation("list", "list\(resource.kind)", requestBody: false),
                "post": operation("post", "create\(resource.kind)", requestBody: true),
            ]
            var schema =
                resource.schema ?? BuiltinSchemas.schema(for: resource) ?? [
                    "type": "object",
                    "description": .string(
                        "\(resource.kind) is a built-in Kubernetes kind served by kube-test-server."
                    ),
                    "properties": [
                        "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                        "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    ],
                ]
            schema[path: ["properties", "apiVersion"]] =
                schema[path: ["properties", "apiVersion"]] ?? [
                    "type": "string",
                    "description": "APIVersion defines the versioned schema of this representation of an object.",
                ]
            schema[path: ["properties", "kind"]] =
                schema[path: ["properties", "kind"]] ?? [
                    "type": "string",
                    "description": "Kind is a string value representing the REST resource this object represents.",
                ]
            schema[path: ["properties", "metadata"]] = [
                "allOf": [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]],
                "description": "Standard object's metadata.",
            ]
            schema["x-kubernetes-group-version-kind"] = [gvk]
            schemas[schemaName] = schema
        }
        schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] = Self.objectMeta
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    /// `me.helmich.kube-mail.v1alpha1.EmailPolicy`, `io.k8s.api.core.v1.Pod`: the real naming.
    static func schemaName(_ resource: ResourceType) -> String {
        if resource.isCustom {
            return resource.group.split(separator: ".").reversed().joined(separator: ".")
                + ".\(resource.version).\(resource.kind)"
        }
        let group = resource.group.isEmpty ? "core" : String(resource.group.split(separator: ".").first!)
        return "io.k8s.api.\(group).\(resource.version).\(resource.kind)"
    }

    static let objectMeta: JSONValue = [
        "type": "object",
        "description":
            "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "properties": [
            "name": ["type": "string", "description": "Name must be unique within a namespace."],
            "namespace": [
                "type": "string", "description": "Namespace defines the space within which each name must be unique.",
            ],
            "labels": [
                "type": "object", "additionalProperties": ["type": "string"],
                "description": "Map of string keys and values that can be used to organize and categorize objects.",
            ],
            "annotations": [
                "type": "object", "additionalProperties": ["type": "string"],
                "description": "Annotations is an unstructured key value map stored with a resource.",
            ],
            "finalizers": [
                "type": "array", "items": ["type": "string"],
                "description": "Must be empty before the object is deleted from the registry.",
            ],
            "ownerReferences": [
                "type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "description": "List of objects depended by this object.",
            ],
            "uid": ["type": "string", "description": "UID is the unique in time and space value for this object."],
            "resourceVersion": [
                "type": "string", "description": "An opaque value that represents the internal version of this object.",
            ],
            "generation": [
                "type": "integer", "format": "int64",
                "description": "A sequence number representing a specific generation of the desired state.",
            ],
            "creationTimestamp": [
                "type": "string", "format": "date-time",
                "description":
                    "CreationTimestamp is a timestamp representing the server time when this object was created.",
            ],
            "deletionTimestamp": [
                "type": "string", "format": "date-time",
                "description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.",
            ],
            "generateName": [
                "type": "string",
                "description": "GenerateName is an optional prefix, used by the server, to generate a unique name.",
            ],
            "managedFields": [
                "type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "description":
                    "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.",
            ],
        ],
    ]

    /// FNV-1a, uppercase hex: a content hash so kubectl's cache notices new CRDs.
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return String(value, radix: 16, uppercase: true)
    }
}
