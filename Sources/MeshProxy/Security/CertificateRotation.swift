import Foundation
import MeshSecurity
import NIOCore

/// Keeps a workload certificate from a mesh CA fresh: a new one is issued when two thirds of
/// the current one's life has passed, and swapped into the TLS contexts; connections already
/// open keep theirs, so none is dropped.
public final class CertificateRotation: Sendable {
    let ca: MeshCA
    let namespace: String
    let serviceAccount: String
    let lifetime: TimeInterval
    /// When the first certificate was issued: the first renewal is due two thirds of its life
    /// after that, however long the proxy took to start.
    let firstIssued: NIODeadline
    public let tls: WorkloadTLS

    /// Issues the first certificate.
    public init(ca: MeshCA, namespace: String, serviceAccount: String, lifetime: TimeInterval) throws {
        self.ca = ca
        self.namespace = namespace
        self.serviceAccount = serviceAccount
        self.lifetime = lifetime
        firstIssued = .now()
        tls = try WorkloadTLS(try Self.issue(ca, namespace, serviceAccount, lifetime))
    }

    static func issue(_ ca: MeshCA, _ namespace: String, _ serviceAccount: String, _ lifetime: TimeInterval) throws
        -> WorkloadTLS.Material
    {
        let issued = try ca.issueWorkloadCertificate(namespace: namespace, serviceAccount: serviceAccount, lifetime: lifetime)
        return WorkloadTLS.Material(
            certificateChainPEM: ([issued.certificatePEM] + issued.chain).map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(),
            privateKeyPEM: issued.keyPEM,
            rootsPEM: ca.certificatePEM)
    }

    /// Schedules renewals on `loop` for as long as the task is not cancelled; each one counts
    /// in `rotations` and failures in `failures`.
    func schedule(on loop: EventLoop, rotations: Stat, failures: Stat) -> RepeatedTask {
        let interval = TimeAmount.nanoseconds(Int64(lifetime * 2 / 3 * 1e9))
        let first = max(.zero, firstIssued + interval - .now())
        return loop.scheduleRepeatedTask(initialDelay: first, delay: interval) { [self] _ in
            do {
                try tls.rotate(try Self.issue(ca, namespace, serviceAccount, lifetime))
                rotations.increment()
            } catch {
                failures.increment()
                // The old certificate stays until it expires; the next turn tries again.
            }
        }
    }
}
