import Foundation
import Synchronization
import Testing

@testable import KubeTestServer

/// The HTTP surface: paths, status codes and Status bodies, discovery, watch streams, auth and
/// the request log.
@Suite struct HTTPAPITests {
    static func withServer(
        _ configuration: KubeTestServer.Configuration = .init(),
        _ body: (RunningServer, HTTPClient) async throws -> Void
    ) async throws {
        let server = try await KubeTestServer.start(configuration)
        do {
            try await body(server, HTTPClient(baseURL: server.url))
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test func notFoundIsAStatusObject() async throws {
        try await Self.withServer { _, client in
            let response = try await client.get("/api/v1/namespaces/default/pods/x")
            #expect(response.status == 404)
            #expect(
                response.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                    "message": "pods \"x\" not found",
                    "reason": "NotFound", "details": ["name": "x", "kind": "pods"], "code": 404,
                ]
            )
            let namespace = try await client.send(
                "POST",
                "/api/v1/namespaces/nope/configmaps",
                body: TestFixtures.configMap("a", namespace: "nope")
            )
            #expect(namespace.status == 404)
            #expect(namespace.json["message"] == "namespaces \"nope\" not found")
        }
    }

    @Test func crudOverHTTP() async throws {
        try await Self.withServer { server, client in
            let created = try await client.send(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: TestFixtures.configMap("a", data: ["k": "v"])
            )
            #expect(created.status == 201)
            let duplicate = try await client.send(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                body: TestFixtures.configMap("a")
            )
            #expect(duplicate.status == 409)
            #expect(duplicate.json["reason"] == "AlreadyExists")
            var stale = created.json
            stale[path: ["metadata", "resourceVersion"]] = "1"
            let conflict = try await client.send("PUT", "/api/v1/namespaces/default/configmaps/a", body: stale)
            #expect(conflict.status == 409)
            #expect(
                conflict.json["message"]
                    == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again"
            )
            let patched = try await client.send(
                "PATCH",
                "/api/v1/namespaces/default/configmaps/a",
                body: ["data": ["k": "w"]],
                contentType: "application/merge-patch+json"
            )
            #expect(patched.json[path: ["data", "k"]] == "w")
            let deleted = try await client.send("DELETE", "/api/v1/namespaces/default/configmaps/a")
            #expect(deleted.status == 200)
            #expect(deleted.json["status"] == "Success")
            #expect(deleted.json[path: ["details", "name"]] == "a")
            #expect(deleted.json[path: ["details", "kind"]] == "configmaps")
            let verbs = server.requests.compactMap(\.verb)
            #expect(verbs == ["create", "create", "update", "patch", "delete"])
            #expect(server.requests.filter(\.isWrite).count == 5)
        }
    }

    @Test func discoveryFollowsCRDs() async throws {
        try await Self.withServer { _, client in
            let groups = try await client.get("/apis")
            #expect(groups.json["kind"] == "APIGroupList")
            #expect(groups.json["groups"]?.arrayValue?.contains { $0["name"] == "kube-mail.helmich.me" } == false)
            for crd in try TestFixtures.crdDocuments() {
                let response = try await client.send(
                    "POST",
                    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                    body: crd
                )
                #expect(response.status == 201)
                let conditions = response.json[path: ["status", "conditions"]]?.arrayValue ?? []
                #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
                #expect(conditions.contains { $0["type"] == "NamesAccepted" && $0["status"] == "True" })
            }
            let list = try await client.get("/apis/kube-mail.helmich.me/v1alpha1")
            let policies = list.json["resources"]?.arrayValue?.first { $0["name"] == "emailpolicies" }
            #expect(policies?["shortNames"] == ["emailpolicy", "epol"])
            #expect(policies?["categories"] == ["kube-mail"])
            #expect(policies?["namespaced"] == true)
            #expect(list.json["resources"]?.arrayValue?.contains { $0["name"] == "emailpolicies/status" } == true)
            let core = try await client.get("/api/v1")
            #expect(core.json["resources"]?.arrayValue?.contains { $0["name"] == "pods/log" } == true)
            let openapi = try await client.get("/openapi/v3")
            #expect(openapi.json[path: ["paths", "apis/kube-mail.helmich.me/v1alpha1", "serverRelativeURL"]] != nil)
        }
    }

    @Test func tablesUsePrinterColumns() async throws {
        try await Self.withServer { server, client in
            for crd in try TestFixtures.crdDocuments() { try server.cluster.create(crd) }
            try server.cluster.create(try TestFixtures.sample("seed-emailpolicy-pod-to-mailhog.yaml"))
            let policies = try #require(
                server.cluster.resource(group: "kube-mail.helmich.me", version: "v1alpha1", plural: "emailpolicies")
            )
            try server.cluster.updateStatus(
                policies,
                namespace: "default",
                name: "pod-to-mailhog",
                status: [
                    "conditions": [
                        [
                            "type": "Ready", "status": "True", "reason": "Delivering", "message": "",
                            "lastTransitionTime": "2024-01-01T00:00:00Z",
                        ]
                    ],
                    "rateLimit": "unlimited", "matchedPods": 2,
                ]
            )
            let table = try await client.get(
                "/apis/kube-mail.helmich.me/v1alpha1/namespaces/default/emailpolicies",
                headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"]
            )
            #expect(table.json["kind"] == "Table")
            #expect(
                table.json["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                    "Name", "Ready", "Server", "Rate limit", "Pods", "Age",
                ]
            )
            let cells = try #require(table.json["rows"]?.arrayValue?.first?["cells"]?.arrayValue)
            #expect(Array(cells.prefix(5)) == ["pod-to-mailhog", "True", "mailhog", "unlimited", 2])
        }
    }

    @Test func watchStreamsEventsAndExpiresOldVersions() async throws {
        var configuration = KubeTestServer.Configuration(historySize: 2)
        configuration.bookmarkInterval = .milliseconds(200)
        try await Self.withServer(configuration) { server, client in
            let start = server.cluster.resourceVersion
            for index in 0..<4 { try server.cluster.create(TestFixtures.configMap("cm-\(index)")) }
            let expired = try await client.get(
                "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(start)&timeoutSeconds=1"
            )
            #expect(expired.status == 200)
            let error = try #require(expired.events.first)
            #expect(error["type"] == "ERROR")
            #expect(error[path: ["object", "code"]] == 410)
            #expect(error[path: ["object", "reason"]] == "Expired")
            #expect(error[path: ["object", "kind"]] == "Status")

            let recent = server.cluster.resourceVersion - 1
            let replay = try await client.get(
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(recent)&timeoutSeconds=1&allowWatchBookmarks=true"
            )
            let types = replay.events.compactMap { $0["type"]?.stringValue }
            #expect(types.first == "ADDED")
            #expect(replay.events.first?[path: ["object", "metadata", "name"]] == "cm-3")
            #expect(types.contains("BOOKMARK"))

            let initial = try await client.get(
                "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=missing&timeoutSeconds=1"
            )
            #expect(initial.events.isEmpty)
            let legacy = try await client.get("/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=1")
            #expect(legacy.events.count == 4, "the deprecated /watch/ path")
            let all = try await client.get("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1")
            #expect(all.events.count == 4, "synthetic ADDED events for the existing objects")
            try await waitUntil { server.cluster.activeWatchCount == 0 }

            let stillKept = try await client.get(
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(recent - 1)&timeoutSeconds=1"
            )
            #expect(stillKept.events.first?["type"] == "ADDED")
            server.setHistorySize(1)
            let shrunk = try await client.get(
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(recent - 1)&timeoutSeconds=1"
            )
            #expect(shrunk.events.first?[path: ["object", "code"]] == 410)
        }
    }

    /// Every built-in kind is served at its real path, with its real scope.
    @Test(arguments: BuiltinResources.all)
    func builtinKindRoundTrip(resource: ResourceType) async throws {
        try await Self.withServer { _, client in
            var body: JSONValue = [
                "apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind),
                "metadata": ["name": "sample"],
            ]
            switch resource.kind {
            case "Pod": body["spec"] = ["containers": [["name": "app", "image": "busybox"]]]
            case "CustomResourceDefinition":
                body = try TestFixtures.crdDocuments()[0]
            default: break
            }
            let name = body.name
            let base =
                (resource.group.isEmpty ? "/api/\(resource.version)" : "/apis/\(resource.group)/\(resource.version)")
                + (resource.namespaced ? "/namespaces/default" : "") + "/\(resource.plural)"
            let created = try await client.send("POST", base, body: body)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json.kind == resource.kind)
            #expect(created.json.apiVersion == resource.apiVersion)
            let fetched = try await client.get("\(base)/\(name)")
            #expect(fetched.json.uid == created.json.uid)
            let list = try await client.get(base)
            #expect(list.json.kind == resource.kind + "List")
            #expect(list.json["items"]?.arrayValue?.contains { $0.name == name } == true)
            let deleted = try await client.send("DELETE", "\(base)/\(name)")
            #expect(deleted.status == 200 || (resource.kind == "Namespace" && deleted.status == 202))
        }
    }

    @Test func watchSeesChangesInOrder() async throws {
        try await Self.withServer { server, client in
            let version = server.cluster.resourceVersion
            async let stream = client.get(
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(version)&timeoutSeconds=2&labelSelector=app%3Dweb"
            )
            try await waitUntil { server.cluster.activeWatchCount == 1 }
            try server.cluster.create(TestFixtures.configMap("a", labels: ["app": "web"]))
            _ = try server.cluster.write { (store) throws(APIError) -> Void in
                var object = try store.get(BuiltinResources.configMap, namespace: "default", name: "a")
                object[path: ["metadata", "labels", "app"]] = "api"
                _ = try store.update(
                    object,
                    resource: BuiltinResources.configMap,
                    namespace: "default",
                    name: "a",
                    manager: "t"
                )
            }
            let events = try await stream.events
            #expect(
                events.compactMap { $0["type"]?.stringValue } == ["ADDED", "DELETED"],
                "leaving the selection is a DELETED event"
            )
        }
    }

    @Test func shutdownEndsOpenWatches() async throws {
        let server = try await KubeTestServer.start()
        let client = HTTPClient(baseURL: server.url)
        let watch = Task { try await client.get("/api/v1/namespaces/default/configmaps?watch=1") }
        try await waitUntil { server.cluster.activeWatchCount == 1 }
        let done = Mutex(false)
        Task {
            await server.shutdown()
            done.withLock { $0 = true }
        }
        try await waitUntil { done.withLock { $0 } }
        try await waitUntil { server.cluster.activeWatchCount == 0 }
        _ = try? await watch.value
    }

    @Test func unknownPathsAndResources() async throws {
        try await Self.withServer { _, client in
            let unknown = try await client.get("/apis/example.com/v1/widgets")
            #expect(unknown.status == 404)
            #expect(unknown.json["message"] == "the server could not find the requested resource")
            let method = try await client.send("PUT", "/api/v1/namespaces/default/configmaps")
            #expect(method.status == 405)
            let version = try await client.get("/version")
            #expect(version.json["major"] == "1")
            #expect(version.json["minor"] == "32")
        }
    }

    @Test func bearerTokens() async throws {
        try await Self.withServer(KubeTestServer.Configuration(tokens: ["secret-token": "alice"])) { server, client in
            let anonymous = try await client.get("/api/v1/namespaces")
            #expect(anonymous.status == 401)
            #expect(anonymous.json["reason"] == "Unauthorized")
            let wrong = try await client.get("/api/v1/namespaces", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)
            let right = try await client.get("/api/v1/namespaces", headers: ["Authorization": "Bearer secret-token"])
            #expect(right.status == 200)
            #expect(server.requests.last?.user == "alice")
        }
    }

    @Test func podLogsFollow() async throws {
        try await Self.withServer { server, client in
            try server.cluster.create(TestFixtures.pod("p"))
            server.appendLog(namespace: "default", pod: "p", container: "app", line: "first")
            let plain = try await client.get("/api/v1/namespaces/default/pods/p/log")
            #expect(plain.text == "first\n")
            async let followed = client.get("/api/v1/namespaces/default/pods/p/log?follow=true")
            try await Task.sleep(for: .milliseconds(300))
            server.appendLog(namespace: "default", pod: "p", container: "app", line: "second")
            server.closeLog(namespace: "default", pod: "p")
            #expect(try await followed.text == "first\nsecond\n")

            // Deleting the pod ends a follow too.
            try server.cluster.create(TestFixtures.pod("q"))
            async let untilDeleted = client.get("/api/v1/namespaces/default/pods/q/log?follow=true")
            // The follow must be under way before the pod goes; a fixed sleep is not enough under load.
            for _ in 0..<400 where !server.requests.contains(where: { $0.name == "q" && $0.query["follow"] == "true" })
            {
                try await Task.sleep(for: .milliseconds(25))
            }
            try await Task.sleep(for: .milliseconds(100))
            server.appendLog(namespace: "default", pod: "q", container: "app", line: "bye")
            _ = try server.cluster.write { (store) throws(APIError) -> Void in
                _ = try store.delete(BuiltinResources.pod, namespace: "default", name: "q")
            }
            #expect(try await untilDeleted.text == "bye\n")
            let multi = try server.cluster.create(TestFixtures.pod("two", containers: ["a", "b"]))
            #expect(multi.name == "two")
            let ambiguous = try await client.get("/api/v1/namespaces/default/pods/two/log")
            #expect(ambiguous.status == 400)
            #expect(ambiguous.json["message"] == "a container name must be specified for pod two, choose one of: [a b]")
        }
    }

    @Test func applyPatchOverHTTP() async throws {
        try await Self.withServer { _, client in
            let missingManager = try await client.send(
                "PATCH",
                "/api/v1/namespaces/default/configmaps/cfg",
                body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"]],
                contentType: "application/apply-patch+yaml"
            )
            #expect(missingManager.status == 400)
            let created = try await client.send(
                "PATCH",
                "/api/v1/namespaces/default/configmaps/cfg?fieldManager=alice",
                body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "1"]],
                contentType: "application/apply-patch+yaml"
            )
            #expect(created.status == 201)
            let conflict = try await client.send(
                "PATCH",
                "/api/v1/namespaces/default/configmaps/cfg?fieldManager=bob",
                body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "2"]],
                contentType: "application/apply-patch+yaml"
            )
            #expect(conflict.status == 409)
            #expect(conflict.json[path: ["details", "causes"]]?.arrayValue?.first?["reason"] == "FieldManagerConflict")
        }
    }
}

/// Polls `condition` every 20 ms for at most `timeout`.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
