import KaibanCLI

await KaibanCommand.runAsync()
