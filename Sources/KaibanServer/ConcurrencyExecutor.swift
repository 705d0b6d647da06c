import CKaibanSystem
import NIOCore
import NIOPosix
import Synchronization

extension KaibanServer {
    /// Makes the server's event loops (NIO's singleton group, the one Hummingbird listens on) the
    /// executor of every task, so that a request's handler runs on the thread that read it instead of
    /// hopping to Swift's own pool and back (two thread switches and wake-ups per request). Only
    /// for a process that serves: the store's blocking work (writes, their flushes, long reads)
    /// already runs on its own work queue, never on an event loop. Call it once, from the main
    /// thread, before the first task starts; false when another hook is already set.
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        let hook = kaiban_enqueue_global_hook()
        guard hook.pointee == nil else { return false }
        typealias Original = @convention(thin) (UnownedJob) -> Void
        typealias Hook = @convention(thin) (UnownedJob, Original) -> Void
        // `any()` keeps to the event loop it is called on: a task resumed from a request's handler
        // stays on that request's thread.
        let enqueue: Hook = { job, _ in MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(job) }
        hook.pointee = unsafeBitCast(enqueue, to: UnsafeMutableRawPointer.self)
        tasksOnEventLoops.store(true, ordering: .relaxed)
        return true
    }

    /// Whether ``runTasksOnEventLoops()`` made the event loops this process's executor (said in the
    /// log line `listening on …`).
    static let tasksOnEventLoops = Atomic(false)
}
