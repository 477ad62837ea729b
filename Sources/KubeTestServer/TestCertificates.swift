import Foundation

/// A throwaway CA with a server certificate for 127.0.0.1/localhost, generated with the `openssl`
/// command-line tool, plus client certificates on demand.
public struct TestCertificates: Sendable {
    public struct GenerationError: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: URL
    public var caCertificatePath: String { directory.appendingPathComponent("ca.crt").path }
    public var caKeyPath: String { directory.appendingPathComponent("ca.key").path }
    public var serverCertificatePath: String { directory.appendingPathComponent("server.crt").path }
    public var serverKeyPath: String { directory.appendingPathComponent("server.key").path }

    /// Creates a new CA and server certificate in a fresh temporary directory.
    public static func generate(openssl: String = "/usr/bin/openssl") throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kube-test-certs-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try certificates.run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-keyout", certificates.caKeyPath, "-out", certificates.caCertificatePath, "-subj",
                "/CN=kube-test-server-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ]
        )
        try certificates.issue(
            name: "server",
            subject: "/CN=kube-test-server",
            extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
            openssl: openssl
        )
        return certificates
    }

    /// Issues a client certificate whose CN (the user name the server sees) is `commonName`.
    public func makeClientCertificate(
        commonName: String,
        openssl: String = "/usr/bin/openssl"
    ) throws -> (certificatePath: String, keyPath: String) {
        let name = "client-\(commonName.filter { $0.isLetter || $0.isNumber })"
        try issue(
            name: name,
            subject: "/CN=\(commonName)",
            extensions: "extendedKeyUsage=clientAuth\n",
            openssl: openssl
        )
        return (
            directory.appendingPathComponent("\(name).crt").path, directory.appendingPathComponent("\(name).key").path
        )
    }

    private func issue(name: String, subject: String, extensions: String, openssl: String) throws {
        let key = directory.appendingPathComponent("\(name).key").path
        let request = directory.appendingPathComponent("\(name).csr").path
        let certificate = directory.appendingPathComponent("\(name).crt").path
        let extensionsFile = directory.appendingPathComponent("\(name).ext")
        try extensions.write(to: extensionsFile, atomically: true, encoding: .utf8)
        try run(
            openssl,
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
                request, "-subj", subject,
            ]
        )
        try run(
            openssl,
            [
                "x509", "-req", "-in", request, "-CA", caCertificatePath, "-CAkey", caKeyPath, "-CAcreateserial",
                "-days", "2",
                "-out", certificate, "-extfile", extensionsFile.path,
            ]
        )
    }

    private func run(_ executable: String, _ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw GenerationError(
                description:
                    "\(executable) not found: the test certificates are made with the openssl command-line tool"
            )
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GenerationError(
                description:
                    "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: output, as: UTF8.self))"
            )
        }
    }
}
