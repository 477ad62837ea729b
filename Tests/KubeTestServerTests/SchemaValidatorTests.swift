import Foundation
import Testing

@testable import KubeTestServer

@Suite struct SchemaValidatorTests {
    @Test func violationsUseTheServersWording() throws {
        var store = try TestFixtures.storeWithCRDs()
        let servers = try store.served("smtpservers")
        var server = try TestFixtures.sample("seed-smtpserver-mailhog.yaml")
        server[path: ["spec", "port"]] = 0
        let error = #expect(throws: APIError.self) {
            try store.create(server, resource: servers, namespace: "kube-system", manager: "t")
        }
        #expect(error?.code == 422)
        #expect(
            error?.message
                == "SMTPServer.kube-mail.helmich.me \"mailhog\" is invalid: spec.port: Invalid value: 0: spec.port in body should be greater than or equal to 1"
        )
        #expect(
            error?.details?["causes"] == [
                [
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value: 0: spec.port in body should be greater than or equal to 1",
                    "field": "spec.port",
                ]
            ]
        )
    }

    @Test func enumTypeAndRequired() throws {
        var store = try TestFixtures.storeWithCRDs()
        let policies = try store.served("emailpolicies")
        let policy: JSONValue = [
            "apiVersion": "kube-mail.helmich.me/v1alpha1", "kind": "EmailPolicy", "metadata": ["name": "p"],
            "spec": ["ratelimiting": ["maximum": "many", "period": "day"], "sink": ["discard": [:]]],
        ]
        let error = #expect(throws: APIError.self) {
            try store.create(policy, resource: policies, namespace: "default", manager: "t")
        }
        let messages = error?.details?["causes"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        #expect(
            messages.contains(
                "Invalid value: \"string\": spec.ratelimiting.maximum in body must be of type integer: \"string\""
            )
        )
        #expect(messages.contains("Unsupported value: \"day\": supported values: \"minute\", \"hour\""))
        let noSink: JSONValue = [
            "apiVersion": "kube-mail.helmich.me/v1alpha1", "kind": "EmailPolicy", "metadata": ["name": "p"],
            "spec": [:],
        ]
        let required = #expect(throws: APIError.self) {
            try store.create(noSink, resource: policies, namespace: "default", manager: "t")
        }
        #expect(required?.message.hasSuffix("spec.sink: Required value") == true)
    }

    @Test func defaultsAndPruning() throws {
        var store = try TestFixtures.storeWithCRDs()
        let policies = try store.served("emailpolicies")
        var policy = try TestFixtures.sample("seed-emailpolicy-pod-to-mailhog.yaml")
        policy[path: ["spec", "ratelimiting"]] = ["maximum": 5]
        policy[path: ["spec", "unknownField"]] = "x"
        let result = try store.create(policy, resource: policies, namespace: "default", manager: "t")
        #expect(result.object[path: ["spec", "ratelimiting", "period"]] == "minute")
        #expect(result.object[path: ["spec", "ratelimiting", "unit"]] == "recipients")
        #expect(result.object[path: ["spec", "default"]] == false)
        #expect(result.object[path: ["spec", "unknownField"]] == nil)
        #expect(result.warnings == ["unknown field \"spec.unknownField\""])
    }

    @Test func strictFieldValidationRejectsUnknownFields() throws {
        var store = try TestFixtures.storeWithCRDs()
        let servers = try store.served("smtpservers")
        var server = try TestFixtures.sample("seed-smtpserver-mailhog.yaml")
        server[path: ["spec", "hostname"]] = "x"
        let error = #expect(throws: APIError.self) {
            try store.create(
                server,
                resource: servers,
                namespace: "kube-system",
                manager: "t",
                fieldValidation: .strict
            )
        }
        #expect(error?.code == 400)
        #expect(
            error?.message
                == "SMTPServer in version \"v1alpha1\" cannot be handled as a SMTPServer: strict decoding error: unknown field \"spec.hostname\""
        )
    }

    @Test func serverSideApplyRejectsUndeclaredFields() throws {
        var store = try TestFixtures.storeWithCRDs()
        let servers = try store.served("smtpservers")
        var server = try TestFixtures.sample("seed-smtpserver-mailhog.yaml")
        server[path: ["spec", "hostname"]] = "x"
        let error = #expect(throws: APIError.self) {
            try store.patch(
                server,
                type: .apply,
                resource: servers,
                namespace: "kube-system",
                name: "mailhog",
                manager: "kubectl"
            )
        }
        #expect(error?.code == 400)
        #expect(
            error?.message
                == "failed to create typed patch object (kube-mail.helmich.me/v1alpha1, Kind=SMTPServer): .spec.hostname: field not declared in schema"
        )
    }

    @Test func builtinKindsRejectUnknownFieldsLikeTypedDecoding() throws {
        var store = ClusterStore()
        var pod = TestFixtures.pod("p")
        pod[path: ["spec", "containers"]] = [
            [
                "name": "app", "image": "busybox", "imagePullPolicy": "Always", "env": [["name": "A", "value": "1"]],
                "portz": [],
            ]
        ]
        pod[path: ["metadata", "lables"]] = ["a": "b"]
        let strict = #expect(throws: APIError.self) {
            try store.create(
                pod,
                resource: BuiltinResources.pod,
                namespace: "default",
                manager: "t",
                fieldValidation: .strict
            )
        }
        #expect(
            strict?.message
                == "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"metadata.lables\", unknown field \"spec.containers[0].portz\""
        )
        let warned = try store.create(
            pod,
            resource: BuiltinResources.pod,
            namespace: "default",
            manager: "t",
            fieldValidation: .warn
        )
        #expect(warned.warnings.count == 2)
        #expect(warned.object[path: ["spec", "containers"]]?.arrayValue?.first?["portz"] == nil)
        #expect(
            warned.object[path: ["spec", "containers"]]?.arrayValue?.first?["env"] == [["name": "A", "value": "1"]]
        )

        let deployment: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"], "spec": ["replica": 2],
        ]
        let apply = #expect(throws: APIError.self) {
            try store.patch(
                deployment,
                type: .apply,
                resource: BuiltinResources.deployment,
                namespace: "default",
                name: "d",
                manager: "operator"
            )
        }
        #expect(
            apply?.message
                == "failed to create typed patch object (apps/v1, Kind=Deployment): .spec.replica: field not declared in schema"
        )
    }

    @Test func oneOfRequiresExactlyOneAlternative() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "spec": [
                    "type": "object", "properties": ["a": ["type": "string"], "b": ["type": "string"]],
                    "oneOf": [["required": ["a"]], ["required": ["b"]]],
                ]
            ],
        ]
        let validator = SchemaValidator(schema: schema)
        #expect(validator.validate(["spec": ["a": "x"]]).isEmpty)
        #expect(
            validator.validate(["spec": ["a": "x", "b": "y"]]).first?.detail
                == "spec in body must validate one and only one schema (oneOf). Found 2 valid alternatives"
        )
        #expect(!validator.validate(["spec": [:]]).isEmpty)
    }

    @Test func stringAndIntOrStringRules() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "name": ["type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"],
                "port": ["x-kubernetes-int-or-string": true],
                "free": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
            ],
        ]
        let validator = SchemaValidator(schema: schema)
        #expect(validator.validate(["name": "abc", "port": "http", "free": ["anything": 1]]).isEmpty)
        #expect(validator.validate(["port": 8080]).isEmpty)
        #expect(validator.validate(["port": true]).count == 1)
        #expect(
            validator.validate(["name": "a"]).map(\.description) == [
                "name: Invalid value: \"a\": name in body should be at least 2 chars long"
            ]
        )
        #expect(
            validator.validate(["name": "abcde"]).map(\.description) == ["name: Too long: may not be more than 4 bytes"]
        )
        #expect(
            validator.validate(["name": "AB"]).map(\.description) == [
                "name: Invalid value: \"AB\": name in body should match '^[a-z]+$'"
            ]
        )
        #expect(validator.prune(["free": ["x": 1], "other": 2]).object == ["free": ["x": 1]])
    }
}

@Suite struct SampleManifestTests {
    /// Every sample of the project is valid, so the server must accept each one as it is.
    @Test func everySampleIsAccepted() throws {
        var store = try TestFixtures.storeWithCRDs()
        let files = try FileManager.default.contentsOfDirectory(atPath: TestFixtures.samplesDirectory.path).filter {
            $0.hasSuffix(".yaml")
        }.sorted()
        #expect(!files.isEmpty)
        for file in files {
            let sample = try TestFixtures.sample(file)
            let resource = try #require(store.resource(apiVersion: sample.apiVersion, kind: sample.kind), "\(file)")
            let namespace = sample.namespace.isEmpty ? "default" : sample.namespace
            if (try? store.get(BuiltinResources.namespace, name: namespace)) == nil {
                _ = try store.create(
                    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
                    resource: BuiltinResources.namespace,
                    namespace: "",
                    manager: "t"
                )
            }
            let result = try store.patch(
                sample,
                type: .apply,
                resource: resource,
                namespace: namespace,
                name: sample.name,
                manager: "samples",
                force: true,
                fieldValidation: .strict
            )
            #expect(result.warnings.isEmpty, "\(file)")
        }
    }
}
