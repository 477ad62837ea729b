/// A parsed `fieldSelector` query: comma-joined `field=value`, `field==value`, `field!=value`.
///
/// Like the real server, only the fields a kind indexes are accepted (`metadata.name` and
/// `metadata.namespace` everywhere; `status.podIP`, `spec.nodeName`, `status.phase`, ... on Pods);
/// any other field is a 400 `field label not supported`.
public struct FieldSelectorQuery: Sendable, Hashable {
    public struct Term: Sendable, Hashable {
        public var field: String
        public var value: String
        public var negated: Bool
    }

    public var terms: [Term]

    public init(terms: [Term] = []) { self.terms = terms }

    public var isEmpty: Bool { terms.isEmpty }

    public init(parsing text: String, for resource: ResourceType) throws(APIError) {
        var terms: [Term] = []
        for rawTerm in text.split(separator: ",").map({ String($0).trimmingWhitespace() }) where !rawTerm.isEmpty {
            var parsed: Term?
            for (token, negated) in [("!=", true), ("==", false), ("=", false)] {
                if let range = rawTerm.firstRange(of: token) {
                    parsed = Term(
                        field: String(rawTerm[..<range.lowerBound]).trimmingWhitespace(),
                        value: String(rawTerm[range.upperBound...]).trimmingWhitespace(),
                        negated: negated
                    )
                    break
                }
            }
            guard let term = parsed else {
                throw APIError.badRequest(
                    "invalid field selector: \"\(rawTerm)\": invalid selector: '\(rawTerm)'; can't understand '\(rawTerm)'"
                )
            }
            guard Self.supportedFields(for: resource).contains(term.field) else {
                throw APIError.badRequest("field label not supported: \(term.field)")
            }
            terms.append(term)
        }
        self.terms = terms
    }

    public func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            let actual = Self.value(of: term.field, in: object)
            return (actual == term.value) != term.negated
        }
    }

    /// The indexed fields of a kind, as its registry strategy's `GetAttrs` exposes them.
    public static func supportedFields(for resource: ResourceType) -> Set<String> {
        var fields: Set<String> = ["metadata.name"]
        if resource.namespaced { fields.insert("metadata.namespace") }
        switch (resource.group, resource.kind) {
        case ("", "Pod"):
            fields.formUnion([
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName",
            ])
        case ("", "Secret"): fields.insert("type")
        case ("", "Namespace"): fields.insert("status.phase")
        case ("", "Event"):
            fields.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                "reportingComponent", "source", "type",
            ])
        case ("", "Service"): fields.insert("spec.clusterIP")
        default: break
        }
        return fields
    }

    static func value(of field: String, in object: JSONValue) -> String {
        if field == "spec.hostNetwork" {
            return (object[path: ["spec", "hostNetwork"]]?.boolValue ?? false) ? "true" : "false"
        }
        if field == "status.podIPs" {
            return object[path: ["status", "podIPs"]]?.arrayValue?.first?["ip"]?.stringValue ?? ""
        }
        if field == "source" {
            return object[path: ["source", "component"]]?.stringValue ?? ""
        }
        guard let value = object[path: field.split(separator: ".").map(String.init)] else { return "" }
        switch value {
        case .string(let text): return text
        case .null: return ""
        default: return JSONWriter.string(value)
        }
    }
}
