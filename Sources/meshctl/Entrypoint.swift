import MeshctlCommands

Meshctl.main()
