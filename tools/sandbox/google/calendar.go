package google

// calendarOperations lists the Calendar methods the sandbox serves.
var calendarOperations = []operation{}
