import Testing

@testable import KubeMailAPI

struct ValidationTests {
    func errors(_ yaml: String) throws -> [String] {
        let objects = try KubeMailObject.decodeAll(yaml: yaml)
        return try #require(objects.first).validate().map(\.description)
    }

    @Test func validPolicyHasNoErrors() throws {
        #expect(
            try errors(
                """
                apiVersion: kube-mail.helmich.me/v1alpha1
                kind: EmailPolicy
                metadata: {name: ok, namespace: default}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  ratelimiting: {maximum: 1}
                  sink: {smtp: {server: {name: default}}}
                """
            ).isEmpty
        )
    }

    @Test func everyProblemIsReportedWithItsPath() throws {
        let found = try errors(
            """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: EmailPolicy
            metadata: {name: Bad_Name, namespace: default}
            spec:
              podSelector:
                matchExpressions:
                  - {key: tier, operator: In}
              ratelimiting: {maximum: 0}
              sink:
                smtp: {server: {name: ""}, credentials: {name: creds, namespace: Other}}
                catch: {retention: 7days}
            """
        )
        #expect(
            found == [
                #"metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"#,
                "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.ratelimiting.maximum: Invalid value: 0: must be between 1 and 1000000000, inclusive",
                #"spec.sink: Invalid value: "smtp, catch": exactly one of smtp, catch or discard must be set"#,
                "spec.sink.smtp.server.name: Required value",
                #"spec.sink.smtp.credentials.namespace: Invalid value: "Other": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name')"#,
                #"spec.sink.catch.retention: Invalid value: "7days": must be a duration such as 168h, 30m or 1h30m"#,
            ]
        )
    }

    @Test func missingSinkMember() throws {
        let found = try errors(
            """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: EmailPolicy
            metadata: {name: p}
            spec: {sink: {}}
            """
        )
        #expect(found == [#"spec.sink: Invalid value: "{}": exactly one of smtp, catch or discard must be set"#])
    }

    @Test func smtpServerProblems() throws {
        let found = try errors(
            """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: SMTPServer
            metadata: {name: s}
            spec:
              server: "smtp example com"
              port: 70000
              allowedNamespaces: {matchLabels: {"team/": x}}
            """
        )
        #expect(
            found == [
                #"spec.server: Invalid value: "smtp example com": must be a host name (such as smtp.example.com) or an IP address"#,
                "spec.port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                #"spec.allowedNamespaces.matchLabels: Invalid value: "team/": name part must be non-empty"#,
            ]
        )
    }

    @Test func mailRelayProblems() throws {
        let found = try errors(
            """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: MailRelay
            metadata: {name: r}
            spec:
              replicas: -1
              resources: {limits: {cpu: lots}}
              podTemplate:
                tolerations: [{operator: Exists, value: x}]
              service: {port: 0}
              tls: {secretName: Not_Valid}
            """
        )
        #expect(
            found == [
                "spec.replicas: Invalid value: -1: must be between 0 and 1000, inclusive",
                #"spec.resources.limits[cpu]: Invalid value: "lots": must be a quantity such as 100m, 128Mi or 2"#,
                #"spec.podTemplate.tolerations[0].value: Invalid value: "x": must be empty when `operator` is 'Exists'"#,
                "spec.service.port: Invalid value: 0: must be between 1 and 65535, inclusive",
                #"spec.tls.secretName: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"#,
            ]
        )
    }

    @Test func missingNameIsRequired() throws {
        let found = try errors(
            """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: MailRelay
            metadata: {}
            """
        )
        #expect(found == ["metadata.name: Required value: name or generateName is required"])
    }

    @Test(arguments: [
        ("spec: {server: x, port: \"587\"}", "spec.port: Invalid value: must be an integer"),
        (
            "spec: {server: x, connect: tls}",
            #"spec.connect: Unsupported value: "tls": supported values: "plain", "ssl", "starttls""#
        ),
        ("spec: {port: 25}", "spec.server: Required value"),
        ("spec: {server: x, tls: maybe}", "spec.tls: Invalid value: must be a boolean (true or false)"),
        ("status: {}", "spec: Required value"),
    ])
    func decodingErrorsCarryPaths(body: String, expected: String) {
        let yaml = "apiVersion: kube-mail.helmich.me/v1alpha1\nkind: SMTPServer\nmetadata: {name: s}\n" + body
        #expect(throws: FieldError.self) { try KubeMailObject.decodeAll(yaml: yaml) }
        do {
            _ = try KubeMailObject.decodeAll(yaml: yaml)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func unknownKindAndVersionOfOurGroup() {
        #expect(
            throws: FieldError.notSupported(
                "kind",
                "MailPolicy",
                supported: ["SMTPServer", "EmailPolicy", "MailRelay"]
            )
        ) {
            try KubeMailObject.decodeAll(
                yaml: "apiVersion: kube-mail.helmich.me/v1alpha1\nkind: MailPolicy\nmetadata: {name: x}"
            )
        }
        #expect(
            throws: FieldError.notSupported(
                "apiVersion",
                "kube-mail.helmich.me/v1",
                supported: ["kube-mail.helmich.me/v1alpha1"]
            )
        ) {
            try KubeMailObject.decodeAll(
                yaml: "apiVersion: kube-mail.helmich.me/v1\nkind: EmailPolicy\nmetadata: {name: x}"
            )
        }
    }

    @Test func otherGroupsAreSkipped() throws {
        let objects = try KubeMailObject.decodeAll(
            yaml: """
                apiVersion: v1
                kind: Secret
                metadata: {name: creds}
                stringData: {username: u, password: p}
                ---
                apiVersion: kube-mail.helmich.me/v1alpha1
                kind: MailRelay
                metadata: {name: r}
                """
        )
        #expect(objects.count == 1)
    }
}
