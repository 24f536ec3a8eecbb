import NIOCore
import NIOSSL
import Synchronization

/// The proxy's mutual-TLS identity: its workload certificate (a SPIFFE identity,
/// `spiffe://cluster.local/ns/NS/sa/SA`), its key, and the mesh's root, as TLS contexts for
/// both directions. A new certificate (rotation) replaces the contexts; connections already
/// open keep the one they started with, so nothing is dropped.
public final class WorkloadTLS: Sendable {
    public struct Material: Sendable {
        public var certificateChainPEM: String
        public var privateKeyPEM: String
        public var rootsPEM: String
        public init(certificateChainPEM: String, privateKeyPEM: String, rootsPEM: String) {
            self.certificateChainPEM = certificateChainPEM
            self.privateKeyPEM = privateKeyPEM
            self.rootsPEM = rootsPEM
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private struct Contexts: Sendable {
        var server: NIOSSLContext
        var client: NIOSSLContext
        var identity: String
    }
    private let contexts: Mutex<Contexts>

    public init(_ material: Material) throws(Failure) {
        contexts = Mutex(try Self.contexts(material))
    }

    /// Takes a renewed certificate: new connections use it from now on.
    public func rotate(_ material: Material) throws(Failure) {
        let next = try Self.contexts(material)
        contexts.withLock { $0 = next }
    }

    /// For the inbound side: presents the workload certificate and requires the peer's, signed
    /// by the mesh root.
    var serverContext: NIOSSLContext { contexts.withLock { $0.server } }
    /// For the outbound side: presents the workload certificate and checks the upstream's
    /// against the mesh root (its SPIFFE identity is not a host name, so names are not checked).
    var clientContext: NIOSSLContext { contexts.withLock { $0.client } }
    /// This workload's SPIFFE identity.
    public var identity: String { contexts.withLock { $0.identity } }

    private static func contexts(_ material: Material) throws(Failure) -> Contexts {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(material.certificateChainPEM.utf8))
            guard let leaf = chain.first else { throw Failure(description: "the certificate file holds no certificate") }
            let key = try NIOSSLPrivateKey(bytes: Array(material.privateKeyPEM.utf8), format: .pem)
            let roots = try NIOSSLCertificate.fromPEMBytes(Array(material.rootsPEM.utf8))
            guard !roots.isEmpty else { throw Failure(description: "the root file holds no certificate") }
            var server = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            server.trustRoots = .certificates(roots)
            server.certificateVerification = .noHostnameVerification
            server.minimumTLSVersion = .tlsv12
            var client = TLSConfiguration.makeClientConfiguration()
            client.certificateChain = chain.map { .certificate($0) }
            client.privateKey = .privateKey(key)
            client.trustRoots = .certificates(roots)
            client.certificateVerification = .noHostnameVerification
            client.minimumTLSVersion = .tlsv12
            return Contexts(
                server: try NIOSSLContext(configuration: server), client: try NIOSSLContext(configuration: client),
                identity: Self.spiffeIdentity(of: leaf) ?? "")
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "cannot use the workload certificate: \(error)")
        }
    }

    /// The first `spiffe://` URI among a certificate's subject alternative names.
    static func spiffeIdentity(of certificate: NIOSSLCertificate) -> String? {
        for name in certificate._subjectAlternativeNames() where name.nameType == .uri {
            let uri = String(decoding: name.contents, as: UTF8.self)
            if uri.hasPrefix("spiffe://") { return uri }
        }
        return nil
    }

    /// Istio's `source.principal`: the SPIFFE identity without `spiffe://`.
    static func principal(of certificate: NIOSSLCertificate?) -> String? {
        certificate.flatMap(spiffeIdentity(of:)).map { String($0.dropFirst("spiffe://".count)) }
    }
}

/// TLS contexts for DestinationRules' SIMPLE and MUTUAL modes, made once per set of files.
final class FileTLSContexts: Sendable {
    static let shared = FileTLSContexts()
    private let contexts = Mutex<[String: NIOSSLContext?]>([:])

    /// The context for these files (nil when one cannot be read or used).
    func context(caCertificates: String?, clientCertificate: String?, privateKey: String?) -> NIOSSLContext? {
        let key = [caCertificates ?? "", clientCertificate ?? "", privateKey ?? ""].joined(separator: "\u{0}")
        return contexts.withLock { cache in
            if let known = cache[key] { return known }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caCertificates {
                guard let roots = try? NIOSSLCertificate.fromPEMFile(caCertificates) else {
                    cache[key] = .some(nil)
                    return nil
                }
                configuration.trustRoots = .certificates(roots)
            }
            if let clientCertificate, let privateKey {
                guard let chain = try? NIOSSLCertificate.fromPEMFile(clientCertificate),
                    let key = try? NIOSSLPrivateKey(file: privateKey, format: .pem)
                else {
                    cache[key] = .some(nil)
                    return nil
                }
                configuration.certificateChain = chain.map { .certificate($0) }
                configuration.privateKey = .privateKey(key)
            }
            let made = try? NIOSSLContext(configuration: configuration)
            cache[key] = .some(made)
            return made
        }
    }
}
