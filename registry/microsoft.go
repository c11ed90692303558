package registry

// Microsoft is Microsoft Graph through the Microsoft identity platform
// (v2.0 endpoints, delegated permissions). "{tenant}" in the endpoints is
// replaced by the connection's tenant ("common" when none is set).
var Microsoft = &Provider{
	ID:    "microsoft",
	Title: "Microsoft 365",
	Endpoints: Endpoints{
		AuthURL:  "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
		TokenURL: "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
	},
	AlwaysRequest:   ScopeSet{"offline_access", "openid"},
	CaseInsensitive: true,
	ResourcePrefix:  "https://graph.microsoft.com/",
	Catalog:         microsoftScopes,
}

// Microsoft Graph delegated permissions and the identity platform's own
// scopes. The strings are Microsoft's, without the
// "https://graph.microsoft.com/" resource prefix.
const (
	GraphOpenID        Scope = "openid"
	GraphProfile       Scope = "profile"
	GraphEmail         Scope = "email"
	GraphOfflineAccess Scope = "offline_access"

	GraphUserRead              Scope = "User.Read"
	GraphUserReadWrite         Scope = "User.ReadWrite"
	GraphUserReadBasicAll      Scope = "User.ReadBasic.All"
	GraphUserReadAll           Scope = "User.Read.All"
	GraphUserReadWriteAll      Scope = "User.ReadWrite.All"
	GraphDirectoryReadAll      Scope = "Directory.Read.All"
	GraphDirectoryReadWriteAll Scope = "Directory.ReadWrite.All"

	GraphAgentIDUserReadWriteParented Scope = "AgentIdUser.ReadWrite.IdentityParentedBy"
	GraphAgentIDUserReadWriteAll      Scope = "AgentIdUser.ReadWrite.All"

	GraphMailReadBasic Scope = "Mail.ReadBasic"
	GraphMailRead      Scope = "Mail.Read"
	GraphMailReadWrite Scope = "Mail.ReadWrite"
	GraphMailSend      Scope = "Mail.Send"

	GraphCalendarsReadBasic Scope = "Calendars.ReadBasic"
	GraphCalendarsRead      Scope = "Calendars.Read"
	GraphCalendarsReadWrite Scope = "Calendars.ReadWrite"

	GraphFilesRead         Scope = "Files.Read"
	GraphFilesReadWrite    Scope = "Files.ReadWrite"
	GraphFilesReadAll      Scope = "Files.Read.All"
	GraphFilesReadWriteAll Scope = "Files.ReadWrite.All"
	GraphSitesReadAll      Scope = "Sites.Read.All"
	GraphSitesReadWriteAll Scope = "Sites.ReadWrite.All"

	GraphTeamReadBasicAll            Scope = "Team.ReadBasic.All"
	GraphTeamSettingsReadAll         Scope = "TeamSettings.Read.All"
	GraphTeamSettingsReadWriteAll    Scope = "TeamSettings.ReadWrite.All"
	GraphChannelReadBasicAll         Scope = "Channel.ReadBasic.All"
	GraphChannelSettingsReadAll      Scope = "ChannelSettings.Read.All"
	GraphChannelSettingsReadWriteAll Scope = "ChannelSettings.ReadWrite.All"
	GraphChannelMessageSend          Scope = "ChannelMessage.Send"
	GraphGroupReadAll                Scope = "Group.Read.All"
	GraphGroupReadWriteAll           Scope = "Group.ReadWrite.All"
)

// microsoftScopes are the Graph delegated permissions scopegate's tools
// use, narrowest first within each area: every permission that one of the
// Graph operations the tools call accepts for a signed-in user, work or
// personal, plus the identity scopes.
//
// Sensitivity is AdminConsent where Microsoft's permissions data
// (permissions.json, requiresAdminConsent of the delegated schemes) says a
// tenant administrator must approve the permission. An administrator can
// also require approval for every permission; that is a tenant's choice and
// is not recorded here. Permissions only work and school accounts can grant
// say so in their explanation.
var microsoftScopes = concat(
	microsoftIdentityScopes,
	graphUserScopes,
	graphMailScopes,
	graphCalendarScopes,
	graphFilesScopes,
	graphTeamsScopes,
)

// microsoftIdentityScopes are the OpenID Connect scopes of the Microsoft
// identity platform. They reach no Graph data.
var microsoftIdentityScopes = []ScopeInfo{
	{
		Scope: GraphOpenID,
		Title: "Sign-in identity",
		Explanation: "Confirm which Microsoft account, work, school or personal, you " +
			"connected, so scopegate can keep accounts apart.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       GraphProfile,
		Title:       "Your name",
		Explanation: "See the name and basic sign-in details of the account you connected.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       GraphEmail,
		Title:       "Email address",
		Explanation: "See the email address of the Microsoft account you connected.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: GraphOfflineAccess,
		Title: "Stay connected",
		Explanation: "Keep the access you approved while you are away, so you do not have " +
			"to sign in again each time scopegate acts for you. It grants nothing else.",
		Sensitivity: NotSensitive,
	},
}

// graphUserScopes read or change user profiles and the directory. GET /me
// accepts all of them; the broad ones are listed so that a grant that
// already holds one is recognized.
var graphUserScopes = []ScopeInfo{
	{
		Scope: GraphUserRead,
		Title: "Read your profile",
		Explanation: "Read your own profile, such as your name, email address and job " +
			"title, and basic facts about your organization. It cannot see other people.",
		Sensitivity: NotSensitive,
		CoveredBy: []Scope{
			GraphUserReadWrite, GraphUserReadBasicAll, GraphUserReadAll,
			GraphUserReadWriteAll, GraphDirectoryReadAll, GraphDirectoryReadWriteAll,
		},
	},
	{
		Scope: GraphUserReadWrite,
		Title: "Read and update your profile",
		Explanation: "Read your own profile and change its details for you. It cannot see " +
			"or change anyone else's.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphUserReadWriteAll},
	},
	{
		Scope: GraphUserReadBasicAll,
		Title: "Read your colleagues' basic profiles",
		Explanation: "See the names, email addresses and photos of the people in your " +
			"organization, and your own full profile. Work and school accounts only.",
		Sensitivity: NotSensitive,
		CoveredBy: []Scope{
			GraphUserReadAll, GraphUserReadWriteAll,
			GraphDirectoryReadAll, GraphDirectoryReadWriteAll,
		},
	},
	{
		Scope: GraphUserReadAll,
		Title: "Read everyone's full profile",
		Explanation: "Read every profile detail of everyone in your organization. Needs an " +
			"administrator's approval.",
		Sensitivity: AdminConsent,
		CoveredBy: []Scope{
			GraphUserReadWriteAll, GraphDirectoryReadAll, GraphDirectoryReadWriteAll,
		},
	},
	{
		Scope: GraphUserReadWriteAll,
		Title: "Read and change everyone's profile",
		Explanation: "Read and change the profiles, managers and reports of people in your " +
			"organization, as far as your own role allows. Needs an administrator's approval.",
		Sensitivity: AdminConsent,
	},
	{
		Scope: GraphDirectoryReadAll,
		Title: "Read your organization's directory",
		Explanation: "Read the users, groups, apps and other records of your organization's " +
			"directory. Needs an administrator's approval.",
		Sensitivity: AdminConsent,
		CoveredBy:   []Scope{GraphDirectoryReadWriteAll},
	},
	{
		Scope: GraphDirectoryReadWriteAll,
		Title: "Change your organization's directory",
		Explanation: "Read and change users, groups and other directory records, as far as " +
			"your role allows, but not delete users or groups or reset passwords. Needs an " +
			"administrator's approval.",
		Sensitivity: AdminConsent,
	},
	{
		Scope: GraphAgentIDUserReadWriteParented,
		Title: "Manage agent accounts of one blueprint",
		Explanation: "Create, change, delete and restore the agent user accounts that belong " +
			"to an agent blueprint, and read basic facts about your organization. Needs an " +
			"administrator's approval.",
		Sensitivity: AdminConsent,
		CoveredBy:   []Scope{GraphAgentIDUserReadWriteAll},
	},
	{
		Scope: GraphAgentIDUserReadWriteAll,
		Title: "Manage all agent accounts",
		Explanation: "Create, change, delete and restore every agent user account in your " +
			"organization, and read basic facts about it. Needs an administrator's " +
			"approval.",
		Sensitivity: AdminConsent,
	},
}

// graphMailScopes are the Outlook mail permissions.
//
// Mail.ReadWrite is listed as covering the read permissions although
// Microsoft's permissions data leaves it out of GET /me/messages/{id}; the
// data lists it for the message list of the same mailbox.
var graphMailScopes = []ScopeInfo{
	{
		Scope: GraphMailReadBasic,
		Title: "Read email without its contents",
		Explanation: "List your messages and see their senders, recipients, subjects and " +
			"dates, but not their text, previews or attachments. It cannot send or change mail.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphMailRead, GraphMailReadWrite},
	},
	{
		Scope: GraphMailRead,
		Title: "Read your email",
		Explanation: "Read the messages in your mailbox, with their text and attachments. " +
			"It cannot send, change or delete anything.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphMailReadWrite},
	},
	{
		Scope: GraphMailReadWrite,
		Title: "Read and organize your email",
		Explanation: "Read, write, move, flag and delete the messages in your mailbox. It " +
			"cannot send mail.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: GraphMailSend,
		Title: "Send email as you",
		Explanation: "Send messages and replies from your address. It cannot read, change " +
			"or delete your mail.",
		Sensitivity: NotSensitive,
	},
}

// graphCalendarScopes are the Outlook calendar permissions.
//
// Calendars.ReadBasic is AdminConsent because Microsoft's permissions data
// says so for both delegated schemes, while Calendars.Read does not.
// Listings built from Graph's service principal, and an older copy of
// Microsoft's permissions reference, show "no" for delegated use instead;
// which one Entra enforces could not be confirmed here, so the stricter
// value is kept. Calendars.ReadWrite is listed as covering the reads
// although the permissions data leaves it out of GET /me/events/{id}.
var graphCalendarScopes = []ScopeInfo{
	{
		Scope: GraphCalendarsReadBasic,
		Title: "Read calendar events without details",
		Explanation: "See your events' times, titles, places and attendees, but not their " +
			"descriptions or attachments. Microsoft lists it as needing an administrator's " +
			"approval.",
		Sensitivity: AdminConsent,
		CoveredBy:   []Scope{GraphCalendarsRead, GraphCalendarsReadWrite},
	},
	{
		Scope: GraphCalendarsRead,
		Title: "Read your calendar",
		Explanation: "See the events in your calendars with all their details. It cannot " +
			"create, change or delete events.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphCalendarsReadWrite},
	},
	{
		Scope: GraphCalendarsReadWrite,
		Title: "Manage your calendar",
		Explanation: "Create, read, change and delete the events in your calendars, and send " +
			"the invitations that go with them.",
		Sensitivity: NotSensitive,
	},
}

// graphFilesScopes are the OneDrive and SharePoint permissions. Files.*
// reach your OneDrive; the ".All" forms add files others shared with you.
// Sites.* are for SharePoint and are only granted to work and school
// accounts; they are not listed as covering Files.* because personal
// accounts cannot hold them.
var graphFilesScopes = []ScopeInfo{
	{
		Scope: GraphFilesRead,
		Title: "Read your OneDrive files",
		Explanation: "List and download the files in your own OneDrive. It cannot change " +
			"them or open files others shared with you.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphFilesReadWrite, GraphFilesReadAll, GraphFilesReadWriteAll},
	},
	{
		Scope: GraphFilesReadWrite,
		Title: "Manage your OneDrive files",
		Explanation: "List, download, upload, change and delete the files in your own " +
			"OneDrive. It cannot open files others shared with you.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphFilesReadWriteAll},
	},
	{
		Scope: GraphFilesReadAll,
		Title: "Read all files you can open",
		Explanation: "List and download every file you can open, including files others " +
			"shared with you. It cannot change them.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphFilesReadWriteAll},
	},
	{
		Scope: GraphFilesReadWriteAll,
		Title: "Manage all files you can open",
		Explanation: "List, download, upload, change and delete every file you can open, " +
			"including files others shared with you.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: GraphSitesReadAll,
		Title: "Read SharePoint sites",
		Explanation: "Read the documents and list items of every SharePoint site you can " +
			"open. Work and school accounts only.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphSitesReadWriteAll},
	},
	{
		Scope: GraphSitesReadWriteAll,
		Title: "Edit SharePoint sites",
		Explanation: "Read, change and delete the documents and list items of every " +
			"SharePoint site you can open. Work and school accounts only.",
		Sensitivity: NotSensitive,
	},
}

// graphTeamsScopes are the Microsoft Teams and group permissions. Teams
// only exists for work and school accounts.
//
// Group.ReadWrite.All is listed as covering ChannelMessage.Send because the
// permissions data accepts it for posting to a channel; Microsoft keeps it
// there for older apps.
var graphTeamsScopes = []ScopeInfo{
	{
		Scope: GraphTeamReadBasicAll,
		Title: "See your teams",
		Explanation: "List the Microsoft Teams teams you belong to, with their names and " +
			"descriptions. It cannot read channels or messages.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphTeamSettingsReadAll, GraphTeamSettingsReadWriteAll},
	},
	{
		Scope: GraphTeamSettingsReadAll,
		Title: "Read team settings",
		Explanation: "Read the names, descriptions and settings of the teams you can see. " +
			"Needs an administrator's approval.",
		Sensitivity: AdminConsent,
		CoveredBy:   []Scope{GraphTeamSettingsReadWriteAll},
	},
	{
		Scope: GraphTeamSettingsReadWriteAll,
		Title: "Change team settings",
		Explanation: "Read and change the settings of teams, as far as your role allows. " +
			"Needs an administrator's approval.",
		Sensitivity: AdminConsent,
	},
	{
		Scope: GraphChannelReadBasicAll,
		Title: "See channel names",
		Explanation: "List the channels of your teams with their names and descriptions. It " +
			"cannot read or post messages.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphChannelSettingsReadAll, GraphChannelSettingsReadWriteAll},
	},
	{
		Scope: GraphChannelSettingsReadAll,
		Title: "Read channel settings",
		Explanation: "Read the names, descriptions and settings of channels. Needs an " +
			"administrator's approval.",
		Sensitivity: AdminConsent,
		CoveredBy:   []Scope{GraphChannelSettingsReadWriteAll},
	},
	{
		Scope: GraphChannelSettingsReadWriteAll,
		Title: "Change channel settings",
		Explanation: "Read and change the names, descriptions and settings of channels. " +
			"Needs an administrator's approval.",
		Sensitivity: AdminConsent,
	},
	{
		Scope: GraphChannelMessageSend,
		Title: "Post in Teams channels",
		Explanation: "Post messages as you in the channels of your teams. It cannot read " +
			"what others wrote.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GraphGroupReadWriteAll},
	},
	{
		Scope: GraphGroupReadAll,
		Title: "Read all groups",
		Explanation: "List groups and their members, and read the calendars, conversations " +
			"and files of groups you can open. Needs an administrator's approval.",
		Sensitivity: AdminConsent,
		CoveredBy:   []Scope{GraphGroupReadWriteAll},
	},
	{
		Scope: GraphGroupReadWriteAll,
		Title: "Manage groups",
		Explanation: "Create groups, read every group and its members, manage the groups " +
			"you own and change the content of groups you belong to. Needs an " +
			"administrator's approval.",
		Sensitivity: AdminConsent,
	},
}
