import Foundation

@testable import KubeTestServer

/// Inputs shared by the tests: kube-mail's CRDs and samples (read from the main repository when
/// present) and small objects built in code.
enum TestFixtures {
    /// The repository root, found from this file's path.
    static let mainRepository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var crdDirectory: URL { mainRepository.appendingPathComponent("crds") }
    static var samplesDirectory: URL { mainRepository.appendingPathComponent("config/samples") }

    static func crdDocuments() throws -> [JSONValue] {
        try FileManager.default.contentsOfDirectory(atPath: crdDirectory.path).sorted().filter { $0.hasSuffix(".yaml") }
            .flatMap {
                try YAMLDocuments.parse(String(contentsOf: crdDirectory.appendingPathComponent($0), encoding: .utf8))
            }
    }

    static func sample(_ name: String) throws -> JSONValue {
        try YAMLDocuments.parseSingle(
            String(contentsOf: samplesDirectory.appendingPathComponent(name), encoding: .utf8)
        )
    }

    static func configMap(
        _ name: String,
        namespace: String = "default",
        labels: [String: String] = [:],
        data: [String: String] = [:]
    ) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)),
            ],
            "data": .object(data.mapValues(JSONValue.string)),
        ]
    }

    static func pod(
        _ name: String,
        namespace: String = "default",
        labels: [String: String] = [:],
        containers: [String] = ["app"]
    ) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)),
            ],
            "spec": ["containers": .array(containers.map { ["name": .string($0), "image": "busybox"] })],
        ]
    }

    /// A store with kube-mail's CRDs installed.
    static func storeWithCRDs(historySize: Int = 1000) throws -> ClusterStore {
        var store = ClusterStore(historySize: historySize)
        for crd in try crdDocuments() {
            _ = try store.create(
                crd,
                resource: BuiltinResources.customResourceDefinition,
                namespace: "",
                manager: "test"
            )
        }
        return store
    }

    static let emailPolicies = ResourceType(
        group: "kube-mail.helmich.me",
        version: "v1alpha1",
        kind: "EmailPolicy",
        plural: "emailpolicies",
        namespaced: true
    )
}

extension ClusterStore {
    func served(
        _ plural: String,
        group: String = "kube-mail.helmich.me",
        version: String = "v1alpha1"
    ) throws -> ResourceType {
        guard let resource = resource(group: group, version: version, plural: plural) else {
            throw APIError.notFoundPath(plural)
        }
        return resource
    }
}
