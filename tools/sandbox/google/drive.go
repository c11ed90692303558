package google

// driveOperations lists the Drive methods the sandbox serves.
var driveOperations = []operation{}
