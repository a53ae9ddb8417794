import Foundation
import Logging
import ServiceCircleApp
import ServiceCircleStore
import ServiceLifecycle

/// Restarts the embedded cluster when it died under a running `serve` (killed, crashed, stopped by hand): while
/// the probe reports the database down, checks once a second whether the server process is gone and starts it
/// again. A database given by URL is someone else's to restart.
struct ClusterSupervisor: Service {
    let cluster: EmbeddedCluster
    let health: DatabaseHealth
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard !Task.isCancelled, health.isDown, !cluster.isRunning else { continue }
                logger.warning("embedded PostgreSQL is not running; restarting it")
                do { try cluster.start() } catch {
                    logger.error("restarting embedded PostgreSQL failed; trying again", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
