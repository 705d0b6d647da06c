import KaibanCLI
import KaibanServer

// `kaiban serve` runs its tasks on the server's event loops (see runTasksOnEventLoops); every
// other command, and a server started inside another command (the demo's), keeps Swift's own pool.
if CommandLine.arguments.dropFirst().first == "serve" {
    KaibanServer.runTasksOnEventLoops()
}
await KaibanCommand.runAsync()
