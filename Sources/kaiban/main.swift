import KaibanCLI

KaibanCommand.main()
