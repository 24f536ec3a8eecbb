import Foundation
import MeshModel
import MeshYAML
import X509

/// IST0101: a Gateway server's `credentialName` names no Secret in the namespace of the
/// gateway's pods (or, written `namespace/name`, in that namespace).
/// IST0161: the Secret it names cannot serve: it lacks `tls.crt` and `tls.key` (or `cert` and
/// `key`), or its certificate is not PEM-encoded X.509, has expired or is not yet valid.
/// MESH0106: the certificate is fine but the private key is not PEM, or does not match it
/// (istioctl does not check the key; the gateway's proxy refuses the pair).
///
/// The Secret's values are read only here, and never printed.
struct GatewaySecretAnalyzer: Analyzer {
    static let name = "gateway.SecretAnalyzer"
    static let codes: [DiagnosticCode] = [.referencedResourceNotFound, .invalidGatewayCredential, .gatewayCredentialKeyMismatch]

    func analyze(_ analysis: inout Analysis) {
        let now = Date()
        for resource in analysis.index.gateways {
            guard let gw = resource.gateway else { continue }
            // The credential lives with the gateway's pods; no pod is the workload analyzer's finding.
            guard let namespace = analysis.workloads.pods(selectedBy: gw.selector).first?.namespace else { continue }
            for server in gw.servers {
                guard let name = server.credentialName, !name.value.isEmpty else { continue }
                let key = name.value.contains("/") ? name.value : "\(namespace)/\(name.value)"
                guard let secret = analysis.index.secrets[key], let object = secret.kubernetes else {
                    analysis.report(
                        .referencedResourceNotFound,
                        "referenced credentialName not found: no Secret \(key) (the gateway's pods run in namespace \(namespace))",
                        resource, at: name.node)
                    continue
                }
                if let (code, problem) = Credential.problem(object, in: secret.file, now: now) {
                    analysis.report(code, "credential Secret \(key) cannot serve TLS: \(problem)", resource, at: name.node)
                }
            }
        }
    }
}

/// A gateway credential Secret as Istio reads it: `cert` and `key` (a generic Secret), else
/// `tls.crt` and `tls.key` (a `kubernetes.io/tls` Secret).
enum Credential {
    /// Why the Secret cannot serve as a server certificate (and the code that says so), or nil
    /// when it can.
    static func problem(_ secret: KubernetesObject, in file: YAMLFile, now: Date) -> (DiagnosticCode, String)? {
        var pair: (cert: [UInt8], key: [UInt8], names: String)?
        for (certKey, keyKey) in [("cert", "key"), ("tls.crt", "tls.key")] {
            guard let cert = value(certKey, of: secret, in: file), let key = value(keyKey, of: secret, in: file),
                !cert.isEmpty, !key.isEmpty
            else { continue }
            pair = (cert, key, "\(certKey)/\(keyKey)")
            break
        }
        guard let pair else {
            let keys = secret.secretEntries.keys.sorted()
            let has = keys.isEmpty ? "no keys" : Analysis.list(keys)
            return (.invalidGatewayCredential, "it has no non-empty tls.crt and tls.key (or cert and key); it has \(has)")
        }
        guard let pem = firstPEMBlock(pair.cert), let certificate = try? Certificate(pemEncoded: pem) else {
            return (.invalidGatewayCredential, "\(pair.names.split(separator: "/")[0]) is not a PEM-encoded X.509 certificate")
        }
        if now > certificate.notValidAfter {
            return (.invalidGatewayCredential, "the certificate expired on \(day(certificate.notValidAfter))")
        }
        if now < certificate.notValidBefore {
            return (.invalidGatewayCredential, "the certificate is not valid before \(day(certificate.notValidBefore))")
        }
        let keyName = String(pair.names.split(separator: "/")[1])
        guard let keyPEM = firstPEMBlock(pair.key), let privateKey = try? Certificate.PrivateKey(pemEncoded: keyPEM) else {
            return (.gatewayCredentialKeyMismatch, "\(keyName) is not a PEM-encoded private key (PKCS#8, PKCS#1 RSA or SEC1 EC)")
        }
        guard privateKey.publicKey == certificate.publicKey else {
            return (.gatewayCredentialKeyMismatch, "\(keyName) does not match the certificate's public key")
        }
        return nil
    }

    /// The bytes of a Secret entry: base64-decoded from `data`, as written in `stringData`.
    static func value(_ key: String, of secret: KubernetesObject, in file: YAMLFile) -> [UInt8]? {
        guard let entry = secret.secretEntries[key] else { return nil }
        let text = file.string(entry.node)
        guard entry.isBase64 else { return Array(text.utf8) }
        return Data(base64Encoded: text).map { Array($0) }
    }

    /// The first `-----BEGIN X-----` … `-----END X-----` block, as Go's pem.Decode finds it.
    static func firstPEMBlock(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN "),
            let end = text.range(of: "-----END ", range: begin.upperBound..<text.endIndex),
            let close = text.range(of: "-----", range: end.upperBound..<text.endIndex)
        else { return nil }
        return String(text[begin.lowerBound..<close.upperBound])
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}
