/// What the apiextensions-apiserver does with a CustomResourceDefinition: checks it, derives the
/// served resource types from it, and reports it `NamesAccepted` and `Established`.
enum CustomResourceDefinitions {
    static func validate(_ crd: JSONValue) throws(APIError) {
        let resource = BuiltinResources.customResourceDefinition
        var errors: [FieldError] = []
        let group = crd[path: ["spec", "group"]]?.stringValue ?? ""
        let plural = crd[path: ["spec", "names", "plural"]]?.stringValue ?? ""
        if group.isEmpty { errors.append(FieldError(.required, field: "spec.group")) }
        if plural.isEmpty { errors.append(FieldError(.required, field: "spec.names.plural")) }
        if (crd[path: ["spec", "names", "kind"]]?.stringValue ?? "").isEmpty {
            errors.append(FieldError(.required, field: "spec.names.kind"))
        }
        let scope = crd[path: ["spec", "scope"]]?.stringValue ?? ""
        if !["Namespaced", "Cluster"].contains(scope) {
            errors.append(
                FieldError(
                    .notSupported,
                    field: "spec.scope",
                    value: .string(scope),
                    detail: "supported values: \"Cluster\", \"Namespaced\""
                )
            )
        }
        let versions = crd[path: ["spec", "versions"]]?.arrayValue ?? []
        if versions.isEmpty {
            errors.append(
                FieldError(
                    .invalid,
                    field: "spec.versions",
                    value: "null",
                    detail: "must have exactly one version marked as storage version"
                )
            )
        }
        if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 && !versions.isEmpty {
            errors.append(
                FieldError(
                    .invalid,
                    field: "spec.versions",
                    value: .array(versions.map { $0["name"] ?? .null }),
                    detail: "must have exactly one version marked as storage version"
                )
            )
        }
        if !group.isEmpty && !plural.isEmpty && crd.name != "\(plural).\(group)" {
            errors.append(
                FieldError(
                    .invalid,
                    field: "metadata.name",
                    value: .string(crd.name),
                    detail: "must be spec.names.plural+\".\"+spec.group"
                )
            )
        }
        if !errors.isEmpty { throw APIError.invalid(resource, name: crd.name, errors: errors) }
    }

    static func resourceTypes(of crd: JSONValue) -> [ResourceType] {
        let spec = crd["spec"] ?? .object([:])
        let names = spec["names"] ?? .object([:])
        let kind = names["kind"]?.stringValue ?? ""
        return (spec["versions"]?.arrayValue ?? []).filter { $0["served"]?.boolValue != false }.map { version in
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).map { column in
                PrinterColumn(
                    name: column["name"]?.stringValue ?? "",
                    type: column["type"]?.stringValue ?? "string",
                    jsonPath: column["jsonPath"]?.stringValue ?? "",
                    description: column["description"]?.stringValue ?? "",
                    priority: Int(column["priority"]?.intValue ?? 0),
                    format: column["format"]?.stringValue ?? ""
                )
            }
            return ResourceType(
                group: spec["group"]?.stringValue ?? "",
                version: version["name"]?.stringValue ?? "",
                kind: kind,
                plural: names["plural"]?.stringValue ?? "",
                singular: names["singular"]?.stringValue ?? kind.lowercased(),
                namespaced: spec["scope"]?.stringValue != "Cluster",
                shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                hasStatus: version[path: ["subresources", "status"]] != nil,
                printerColumns: columns.isEmpty ? [BuiltinResources.age] : columns,
                schema: version[path: ["schema", "openAPIV3Schema"]] ?? [
                    "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                ],
                isCustom: true
            )
        }
    }

    /// The status the CRD controllers would write; transition times survive unchanged conditions.
    static func status(of crd: JSONValue, now: String) -> JSONValue {
        let previous = crd[path: ["status", "conditions"]]?.arrayValue ?? []
        func condition(_ type: String, reason: String, message: String) -> JSONValue {
            let time =
                previous.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }?[
                    "lastTransitionTime"
                ] ?? .string(now)
            return [
                "type": .string(type), "status": "True", "lastTransitionTime": time, "reason": .string(reason),
                "message": .string(message),
            ]
        }
        var names = crd[path: ["spec", "names"]] ?? .object([:])
        if names["listKind"] == nil, let kind = names["kind"]?.stringValue {
            names["listKind"] = .string(kind + "List")
        }
        if names["singular"] == nil, let kind = names["kind"]?.stringValue {
            names["singular"] = .string(kind.lowercased())
        }
        let storage = (crd[path: ["spec", "versions"]]?.arrayValue ?? []).filter { $0["storage"]?.boolValue == true }
            .compactMap { $0["name"] }
        return [
            "conditions": [
                condition("NamesAccepted", reason: "NoConflicts", message: "no conflicts found"),
                condition(
                    "Established",
                    reason: "InitialNamesAccepted",
                    message: "the initial names have been accepted"
                ),
            ],
            "acceptedNames": names,
            "storedVersions": .array(storage),
        ]
    }
}
