package microsoft

// graphOperations lists every operation of the facts with its workload and handler. The
// gate in graph checks the token and the permission before any handler runs.
func graphOperations() []operation {
	return []operation{
		{"GET /me", directory, (*Server).getMe},

		{"GET /me/messages", outlook, (*Server).listMessages},
		{"GET /me/mailFolders/{id}/messages", outlook, (*Server).listFolderMessages},
		{"GET /me/messages/{id}", outlook, (*Server).getMessage},
		{"PATCH /me/messages/{id}", outlook, (*Server).patchMessage},
		{"DELETE /me/messages/{id}", outlook, (*Server).deleteMessage},
		{"POST /me/messages/{id}/move", outlook, (*Server).moveMessage},
		{"POST /me/messages/{id}/reply", outlook, (*Server).replyMessage},
		{"POST /me/sendMail", outlook, (*Server).sendMail},

		{"GET /me/calendarView", outlook, (*Server).calendarView},
		{"GET /me/calendar/calendarView", outlook, (*Server).calendarView},
		{"GET /users/{id}/calendarView", outlook, (*Server).calendarView},
		{"GET /me/events", outlook, (*Server).listEvents},
		{"GET /me/events/{id}", outlook, (*Server).getEvent},
		{"POST /me/events", outlook, (*Server).createEvent},

		{"GET /me/drive/root/children", onedrive, (*Server).listRootChildren},
		{"GET /me/drive/items/{id}/content", onedrive, (*Server).getContent},
		{"GET /me/drive/root:/{path}:/content", onedrive, (*Server).getContent},
		{"PUT /me/drive/root:/{path}:/content", onedrive, (*Server).putContent},
		{"PUT /me/drive/items/{parent-id}:/{filename}:/content", onedrive, (*Server).putContent},

		{"GET /me/joinedTeams", teamsService, (*Server).listJoinedTeams},
		{"GET /teams/{id}/channels", teamsService, (*Server).listChannels},
		{"POST /teams/{id}/channels/{id}/messages", teamsService, (*Server).postChannelMessage},
	}
}
