import Crypto
import Foundation
#if canImport(Glibc)
    import Glibc
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    import Darwin
    private let systemWrite = Darwin.write
#endif
import X509

/// Why the mesh CA could not be created, read or used.
public struct MeshCAError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A workload certificate and key, with the chain that proves it (PEM).
public struct IssuedCertificate: Sendable {
    public var certificatePEM: String
    public var keyPEM: String
    /// The issuers, leaf's issuer first: the mesh root.
    public var chain: [String]
    /// `spiffe://TRUST_DOMAIN/ns/NS/sa/SA`.
    public var spiffeID: String
    public var notBefore: Date
    public var notAfter: Date
}

/// The mesh's root CA, as Citadel (istiod) plays it: a self-signed ECDSA P-256 root that
/// issues short-lived workload certificates whose only identity is the SPIFFE URI
/// `spiffe://TRUST_DOMAIN/ns/NS/sa/SA`. Built with swift-certificates and swift-crypto.
///
/// On disk (`meshctl x ca init --dir DIR`): `root-cert.pem` (0644) and `root-key.pem` (0600),
/// Istio's names for a plugged-in root.
public struct MeshCA: Sendable {
    public static let certificateFile = "root-cert.pem"
    public static let keyFile = "root-key.pem"

    public let certificate: Certificate
    let key: P256.Signing.PrivateKey
    public let trustDomain: String

    /// The root certificate, PEM.
    public var certificatePEM: String { (try? certificate.serializeAsPEM().pemString) ?? "" }

    /// Makes a new root, valid from a minute ago (for clock skew) for `lifetime`.
    public static func create(
        trustDomain: String = "cluster.local", organization: String = "meshctl", lifetime: TimeInterval = 10 * 365 * 86_400,
        now: Date = Date()
    ) throws -> MeshCA {
        let key = P256.Signing.PrivateKey()
        let caKey = Certificate.PrivateKey(key)
        do {
            let name = try DistinguishedName {
                OrganizationName(organization)
                CommonName("\(trustDomain) root CA")
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caKey.publicKey,
                notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(lifetime), issuer: name,
                subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: caKey.publicKey)
                }, issuerPrivateKey: caKey)
            return MeshCA(certificate: certificate, key: key, trustDomain: trustDomain)
        } catch {
            throw MeshCAError("cannot build the root certificate: \(error)")
        }
    }

    /// Writes `root-cert.pem` and `root-key.pem` into `dir` (created if missing), each
    /// atomically (a temporary file renamed into place), the key readable by its owner only.
    /// Refuses to replace an existing root unless `overwrite`.
    @discardableResult
    public func write(to dir: String, overwrite: Bool = false) throws -> [String] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw MeshCAError("\(dir) exists and is not a directory") }
        } else {
            do {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw MeshCAError("cannot create \(dir): \(error.localizedDescription)")
            }
        }
        let certPath = (dir as NSString).appendingPathComponent(Self.certificateFile)
        let keyPath = (dir as NSString).appendingPathComponent(Self.keyFile)
        if !overwrite {
            for path in [certPath, keyPath] where fm.fileExists(atPath: path) {
                throw MeshCAError(
                    "\(path) already exists; give --force to replace the mesh root (every workload certificate it issued stops verifying)"
                )
            }
        }
        try Self.writeFile(key.pemRepresentation + "\n", to: keyPath, mode: 0o600)
        try Self.writeFile(certificatePEM + "\n", to: certPath, mode: 0o644)
        return [certPath, keyPath]
    }

    /// Writes `text` to a temporary file beside `path` with `mode`, flushes it, and renames it
    /// over `path`: a reader sees the old file or the new one, never half of one.
    public static func writeFile(_ text: String, to path: String, mode: mode_t) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, mode)
        guard fd >= 0 else { throw MeshCAError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, mode) == 0
        let bytes = Array(text.utf8)
        var written = 0
        while ok && written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n <= 0 { ok = false } else { written += n }
        }
        ok = ok && fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw MeshCAError("cannot write \(path): \(reason)")
        }
    }

    /// Reads the root written by `write(to:)`.
    public static func load(dir: String) throws -> MeshCA {
        let certPath = (dir as NSString).appendingPathComponent(certificateFile)
        let keyPath = (dir as NSString).appendingPathComponent(keyFile)
        func read(_ path: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MeshCAError("cannot read \(path); create a mesh CA with: meshctl x ca init --dir \(dir)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        let certificate: Certificate
        let key: P256.Signing.PrivateKey
        do {
            certificate = try Certificate(pemEncoded: try read(certPath))
        } catch let error as MeshCAError {
            throw error
        } catch {
            throw MeshCAError("\(certPath) is not a PEM certificate")
        }
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: try read(keyPath))
        } catch let error as MeshCAError {
            throw error
        } catch {
            throw MeshCAError("\(keyPath) is not a PEM ECDSA P-256 private key")
        }
        guard Certificate.PublicKey(key.publicKey) == certificate.publicKey else {
            throw MeshCAError("\(keyPath) is not the key of \(certPath)")
        }
        guard let constraints = try? certificate.extensions.basicConstraints,
            case .isCertificateAuthority = constraints
        else { throw MeshCAError("\(certPath) is not a CA certificate") }
        let trustDomain =
            certificate.subject.description.split(separator: ",").lazy.compactMap { part -> String? in
                let text = part.trimmingCharacters(in: .whitespaces)
                guard text.hasPrefix("CN="), text.hasSuffix(" root CA") else { return nil }
                return String(text.dropFirst(3).dropLast(8))
            }.first ?? "cluster.local"
        return MeshCA(certificate: certificate, key: key, trustDomain: trustDomain)
    }

    /// Issues a workload certificate: a new P-256 key, no subject, the SPIFFE URI as its only
    /// (critical) subject alternative name, client and server authentication, valid from a
    /// minute ago for `lifetime` (at most the root's remaining life).
    public func issueWorkloadCertificate(
        namespace: String, serviceAccount: String, lifetime: TimeInterval = 86_400, now: Date = Date()
    ) throws -> IssuedCertificate {
        guard !namespace.isEmpty, !serviceAccount.isEmpty, !namespace.contains("/"), !serviceAccount.contains("/") else {
            throw MeshCAError("a workload identity needs a namespace and a service account without '/'")
        }
        guard lifetime > 0 else { throw MeshCAError("the certificate lifetime must be positive") }
        let spiffeID = "spiffe://\(trustDomain)/ns/\(namespace)/sa/\(serviceAccount)"
        let leafKey = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(leafKey.publicKey)
        let notBefore = now.addingTimeInterval(-60)
        let notAfter = min(now.addingTimeInterval(lifetime), certificate.notValidAfter)
        let issuerKey = Certificate.PrivateKey(key)
        do {
            let leaf = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey, notValidBefore: notBefore,
                notValidAfter: notAfter, issuer: certificate.subject, subject: DistinguishedName(),
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth, .clientAuth])
                    AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                    Critical(SubjectAlternativeNames([.uniformResourceIdentifier(spiffeID)]))
                }, issuerPrivateKey: issuerKey)
            return IssuedCertificate(
                certificatePEM: try leaf.serializeAsPEM().pemString, keyPEM: leafKey.pemRepresentation,
                chain: [certificatePEM], spiffeID: spiffeID, notBefore: notBefore, notAfter: notAfter)
        } catch {
            throw MeshCAError("cannot issue a certificate for \(spiffeID): \(error)")
        }
    }
}
