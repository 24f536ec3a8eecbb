import MeshctlCommands

await Meshctl.start()
