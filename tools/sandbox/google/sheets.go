package google

// sheetsOperations lists the Sheets methods the sandbox serves.
var sheetsOperations = []operation{}
