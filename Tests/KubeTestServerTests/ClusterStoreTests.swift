import Foundation
import Testing

@testable import KubeTestServer

@Suite struct ClusterStoreTests {
    let configMaps = BuiltinResources.configMap

    @Test func createAssignsServerFields() throws {
        var store = ClusterStore()
        let before = store.resourceVersion
        let created = try store.create(
            TestFixtures.configMap("a"),
            resource: configMaps,
            namespace: "default",
            manager: "test"
        ).object
        #expect(UUID(uuidString: created.uid) != nil)
        #expect(created.resourceVersion == String(before + 1))
        let timestamp = try #require(created[path: ["metadata", "creationTimestamp"]]?.stringValue)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        #expect(created.kind == "ConfigMap")
        let second = try store.create(
            TestFixtures.configMap("b"),
            resource: configMaps,
            namespace: "default",
            manager: "test"
        ).object
        #expect(second.resourceVersion == String(before + 2))
    }

    @Test func createTwiceIsAlreadyExists() throws {
        var store = ClusterStore()
        _ = try store.create(TestFixtures.configMap("a"), resource: configMaps, namespace: "default", manager: "test")
        let error = #expect(throws: APIError.self) {
            try store.create(TestFixtures.configMap("a"), resource: configMaps, namespace: "default", manager: "test")
        }
        #expect(error?.code == 409)
        #expect(error?.reason == "AlreadyExists")
        #expect(error?.message == "configmaps \"a\" already exists")
    }

    @Test func generateNameMakesAUniqueName() throws {
        var store = ClusterStore()
        var body = TestFixtures.configMap("")
        body[path: ["metadata", "generateName"]] = "job-"
        let first = try store.create(body, resource: configMaps, namespace: "default", manager: "test").object
        let second = try store.create(body, resource: configMaps, namespace: "default", manager: "test").object
        #expect(first.name.hasPrefix("job-") && first.name.count == 9)
        #expect(first.name != second.name)
    }

    @Test func missingObjectAndMissingNamespaceAreNotFound() throws {
        var store = ClusterStore()
        let missing = #expect(throws: APIError.self) {
            try store.get(BuiltinResources.pod, namespace: "default", name: "x")
        }
        #expect(
            missing?.status == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": "pods \"x\" not found",
                "reason": "NotFound", "details": ["name": "x", "kind": "pods"], "code": 404,
            ]
        )
        let namespace = #expect(throws: APIError.self) {
            try store.create(
                TestFixtures.configMap("a", namespace: "nope"),
                resource: configMaps,
                namespace: "nope",
                manager: "test"
            )
        }
        #expect(namespace?.message == "namespaces \"nope\" not found")
    }

    @Test func staleResourceVersionIsConflict() throws {
        var store = ClusterStore()
        let created = try store.create(
            TestFixtures.configMap("a", data: ["k": "1"]),
            resource: configMaps,
            namespace: "default",
            manager: "test"
        ).object
        var first = created
        first["data"] = ["k": "2"]
        let updated = try store.update(first, resource: configMaps, namespace: "default", name: "a", manager: "test")
            .object
        #expect(updated.resourceVersion != created.resourceVersion)
        var stale = created
        stale["data"] = ["k": "3"]
        let error = #expect(throws: APIError.self) {
            try store.update(stale, resource: configMaps, namespace: "default", name: "a", manager: "test")
        }
        #expect(error?.code == 409)
        #expect(
            error?.message
                == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again"
        )
        // Without a resourceVersion the update is unconditional.
        stale[path: ["metadata", "resourceVersion"]] = nil
        let forced = try store.update(stale, resource: configMaps, namespace: "default", name: "a", manager: "test")
            .object
        #expect(forced["data"] == ["k": "3"])
    }

    @Test func generationFollowsSpecOnly() throws {
        var store = try TestFixtures.storeWithCRDs()
        let policies = try store.served("emailpolicies")
        var policy = try TestFixtures.sample("seed-emailpolicy-pod-to-mailhog.yaml")
        let created = try store.create(policy, resource: policies, namespace: "default", manager: "test").object
        #expect(created[path: ["metadata", "generation"]] == 1)
        policy[path: ["metadata", "labels"]] = ["team": "a"]
        let relabelled = try store.update(
            policy,
            resource: policies,
            namespace: "default",
            name: "pod-to-mailhog",
            manager: "test"
        ).object
        #expect(relabelled[path: ["metadata", "generation"]] == 1)
        var status = relabelled
        status["status"] = ["matchedPods": 3]
        let withStatus = try store.update(
            status,
            resource: policies,
            namespace: "default",
            name: "pod-to-mailhog",
            subresource: "status",
            manager: "test"
        ).object
        #expect(withStatus[path: ["metadata", "generation"]] == 1)
        #expect(withStatus[path: ["status", "matchedPods"]] == 3)
        policy[path: ["spec", "ratelimiting"]] = ["maximum": 5]
        let respecced = try store.update(
            policy,
            resource: policies,
            namespace: "default",
            name: "pod-to-mailhog",
            manager: "test"
        ).object
        #expect(respecced[path: ["metadata", "generation"]] == 2)
        #expect(respecced[path: ["status", "matchedPods"]] == 3, "the main resource ignores status")
    }

    @Test func statusSubresourceChangesOnlyStatus() throws {
        var store = try TestFixtures.storeWithCRDs()
        let policies = try store.served("emailpolicies")
        let created = try store.create(
            try TestFixtures.sample("emailpolicy-discard.yaml").withNamespace("default"),
            resource: policies,
            namespace: "default",
            manager: "test"
        ).object
        var body = created
        body[path: ["spec", "default"]] = true
        body["status"] = ["rateLimit": "unlimited"]
        let updated = try store.update(
            body,
            resource: policies,
            namespace: "default",
            name: created.name,
            subresource: "status",
            manager: "test"
        ).object
        #expect(updated[path: ["spec", "default"]] == false)
        #expect(updated[path: ["status", "rateLimit"]] == "unlimited")
    }

    @Test func finalizersHoldDeletionUntilRemoved() throws {
        var store = ClusterStore()
        var body = TestFixtures.configMap("held")
        body[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        _ = try store.create(body, resource: configMaps, namespace: "default", manager: "test")
        let result = try store.delete(configMaps, namespace: "default", name: "held")
        #expect(result.deleted == false)
        let marked = try store.get(configMaps, namespace: "default", name: "held")
        #expect(marked[path: ["metadata", "deletionTimestamp"]] != nil)
        var release = marked
        release[path: ["metadata", "finalizers"]] = nil
        _ = try store.update(release, resource: configMaps, namespace: "default", name: "held", manager: "test")
        #expect(throws: APIError.self) { try store.get(configMaps, namespace: "default", name: "held") }
        let kinds = store.drainEvents().filter { $0.object.name == "held" }.map(\.type)
        #expect(kinds == [.added, .modified, .deleted])
    }

    @Test func deletingAnOwnerDeletesDependentsUnlessOrphaned() throws {
        var store = ClusterStore()
        let owner = try store.create(
            TestFixtures.configMap("owner"),
            resource: configMaps,
            namespace: "default",
            manager: "test"
        ).object
        for name in ["child-1", "child-2"] {
            var child = TestFixtures.configMap(name)
            child[path: ["metadata", "ownerReferences"]] = [
                ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": .string(owner.uid)]
            ]
            _ = try store.create(child, resource: configMaps, namespace: "default", manager: "test")
        }
        _ = try store.delete(configMaps, namespace: "default", name: "owner")
        #expect(try store.list(configMaps, namespace: "default")["items"]?.arrayValue?.isEmpty == true)

        let second = try store.create(
            TestFixtures.configMap("owner"),
            resource: configMaps,
            namespace: "default",
            manager: "test"
        ).object
        var child = TestFixtures.configMap("orphan")
        child[path: ["metadata", "ownerReferences"]] = [
            ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": .string(second.uid)]
        ]
        _ = try store.create(child, resource: configMaps, namespace: "default", manager: "test")
        _ = try store.delete(configMaps, namespace: "default", name: "owner", propagationPolicy: .orphan)
        let orphan = try store.get(configMaps, namespace: "default", name: "orphan")
        #expect(orphan[path: ["metadata", "ownerReferences"]] == nil)
    }

    @Test func listPagesAreAConsistentSnapshot() throws {
        var store = ClusterStore()
        for index in 0..<5 {
            _ = try store.create(
                TestFixtures.configMap("cm-\(index)"),
                resource: configMaps,
                namespace: "default",
                manager: "test"
            )
        }
        var options = ClusterStore.ListOptions()
        options.limit = 2
        let first = try store.list(configMaps, namespace: "default", options: options)
        #expect(first["items"]?.arrayValue?.map(\.name) == ["cm-0", "cm-1"])
        #expect(first[path: ["metadata", "remainingItemCount"]] == 3)
        let token = try #require(first[path: ["metadata", "continue"]]?.stringValue)
        // Changes after the first page do not show up in later pages.
        _ = try store.delete(configMaps, namespace: "default", name: "cm-3")
        _ = try store.create(
            TestFixtures.configMap("cm-9"),
            resource: configMaps,
            namespace: "default",
            manager: "test"
        )
        options.continueToken = token
        let second = try store.list(configMaps, namespace: "default", options: options)
        #expect(second["items"]?.arrayValue?.map(\.name) == ["cm-2", "cm-3"])
        #expect(second[path: ["metadata", "resourceVersion"]] == first[path: ["metadata", "resourceVersion"]])
        options.continueToken = try #require(second[path: ["metadata", "continue"]]?.stringValue)
        let third = try store.list(configMaps, namespace: "default", options: options)
        #expect(third["items"]?.arrayValue?.map(\.name) == ["cm-4"])
        #expect(third[path: ["metadata", "continue"]] == nil)
    }

    @Test func watchHistoryExpires() throws {
        var store = ClusterStore(historySize: 3)
        let start = store.resourceVersion
        for index in 0..<5 {
            _ = try store.create(
                TestFixtures.configMap("cm-\(index)"),
                resource: configMaps,
                namespace: "default",
                manager: "test"
            )
        }
        let error = #expect(throws: APIError.self) { try store.events(after: start) }
        #expect(error?.code == 410)
        #expect(error?.reason == "Expired")
        #expect(error?.message == "too old resource version: \(start) (\(start + 3))")
        let recent = try store.events(after: start + 2)
        #expect(recent.map(\.object.name) == ["cm-2", "cm-3", "cm-4"])
        var exact = ClusterStore.ListOptions()
        exact.resourceVersion = String(start)
        exact.resourceVersionMatch = "Exact"
        #expect(throws: APIError.self) { try store.list(configMaps, namespace: "default", options: exact) }
    }

    @Test func invalidNameIsUnprocessable() throws {
        var store = ClusterStore()
        let error = #expect(throws: APIError.self) {
            try store.create(
                TestFixtures.configMap("Bad_Name"),
                resource: configMaps,
                namespace: "default",
                manager: "test"
            )
        }
        #expect(error?.code == 422)
        #expect(error?.details?["causes"]?.arrayValue?.first?["field"] == "metadata.name")
        #expect(error?.details?["causes"]?.arrayValue?.first?["reason"] == "FieldValueInvalid")
    }

    @Test func secretStringDataBecomesData() throws {
        var store = ClusterStore()
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "stringData": ["password": "hunter2"],
        ]
        let created = try store.create(secret, resource: BuiltinResources.secret, namespace: "default", manager: "test")
            .object
        #expect(created[path: ["data", "password"]] == "aHVudGVyMg==")
        #expect(created["stringData"] == nil)
        #expect(created["type"] == "Opaque")
    }
}

extension JSONValue {
    func withNamespace(_ namespace: String) -> JSONValue {
        var copy = self
        copy[path: ["metadata", "namespace"]] = .string(namespace)
        return copy
    }
}

@Suite struct NamespaceLifecycleTests {
    @Test func namespaceTerminatesUntilItsContentsAreGone() throws {
        var store = ClusterStore()
        _ = try store.create(
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]],
            resource: BuiltinResources.namespace,
            namespace: "",
            manager: "t"
        )
        _ = try store.create(
            TestFixtures.configMap("free", namespace: "team"),
            resource: BuiltinResources.configMap,
            namespace: "team",
            manager: "t"
        )
        var held = TestFixtures.configMap("held", namespace: "team")
        held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        _ = try store.create(held, resource: BuiltinResources.configMap, namespace: "team", manager: "t")

        let result = try store.delete(BuiltinResources.namespace, namespace: "", name: "team")
        #expect(!result.deleted)
        #expect(try store.get(BuiltinResources.namespace, name: "team")[path: ["status", "phase"]] == "Terminating")
        #expect(throws: APIError.self) { try store.get(BuiltinResources.configMap, namespace: "team", name: "free") }
        let forbidden = #expect(throws: APIError.self) {
            try store.create(
                TestFixtures.configMap("new", namespace: "team"),
                resource: BuiltinResources.configMap,
                namespace: "team",
                manager: "t"
            )
        }
        #expect(forbidden?.code == 403)
        #expect(
            forbidden?.message
                == "configmaps \"new\" is forbidden: unable to create new content in namespace team because it is being terminated"
        )

        var release = try store.get(BuiltinResources.configMap, namespace: "team", name: "held")
        release[path: ["metadata", "finalizers"]] = nil
        _ = try store.update(
            release,
            resource: BuiltinResources.configMap,
            namespace: "team",
            name: "held",
            manager: "t"
        )
        #expect(throws: APIError.self) { try store.get(BuiltinResources.namespace, name: "team") }
    }

    @Test func immutableConfigMapsKeepTheirData() throws {
        var store = ClusterStore()
        var map = TestFixtures.configMap("frozen", data: ["a": "1"])
        map["immutable"] = true
        let created = try store.create(map, resource: BuiltinResources.configMap, namespace: "default", manager: "t")
            .object
        var changed = created
        changed["data"] = ["a": "2"]
        let error = #expect(throws: APIError.self) {
            try store.update(
                changed,
                resource: BuiltinResources.configMap,
                namespace: "default",
                name: "frozen",
                manager: "t"
            )
        }
        #expect(
            error?.message
                == "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
        )
    }
}

extension ClusterStore {
    func get(_ resource: ResourceType, name: String) throws(APIError) -> JSONValue {
        try get(resource, namespace: "", name: name)
    }
}

@Suite struct CustomResourceDefinitionTests {
    @Test func definitionsServeAndRetireTheirResources() throws {
        var store = try TestFixtures.storeWithCRDs()
        let policies = try store.served("emailpolicies")
        #expect(policies.namespaced)
        #expect(policies.hasStatus)
        #expect(policies.printerColumns.map(\.name) == ["Ready", "Server", "Rate limit", "Pods", "Age"])
        _ = try store.create(
            try TestFixtures.sample("seed-emailpolicy-pod-to-mailhog.yaml"),
            resource: policies,
            namespace: "default",
            manager: "t"
        )
        _ = store.drainEvents()

        _ = try store.delete(
            BuiltinResources.customResourceDefinition,
            namespace: "",
            name: "emailpolicies.kube-mail.helmich.me"
        )
        #expect(store.resource(group: "kube-mail.helmich.me", version: "v1alpha1", plural: "emailpolicies") == nil)
        let deleted = store.drainEvents().filter { $0.type == .deleted }.map(\.object.name)
        #expect(deleted == ["pod-to-mailhog", "emailpolicies.kube-mail.helmich.me"])
    }

    @Test func aDefinitionMustBeNamedAfterItsResource() throws {
        var store = ClusterStore()
        var crd = try TestFixtures.crdDocuments()[0]
        crd[path: ["metadata", "name"]] = "wrong.example.com"
        let error = #expect(throws: APIError.self) {
            try store.create(crd, resource: BuiltinResources.customResourceDefinition, namespace: "", manager: "t")
        }
        #expect(
            error?.message
                == "CustomResourceDefinition.apiextensions.k8s.io \"wrong.example.com\" is invalid: metadata.name: Invalid value: \"wrong.example.com\": must be spec.names.plural+\".\"+spec.group"
        )
    }
}
