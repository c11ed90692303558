package registry

// Slack is Slack's OAuth v2 ("granular bot permissions") with bot and user
// tokens, which are granted and kept separately.
var Slack = &Provider{
	ID:    "slack",
	Title: "Slack",
	Endpoints: Endpoints{
		AuthURL:   "https://slack.com/oauth/v2/authorize",
		TokenURL:  "https://slack.com/api/oauth.v2.access",
		RevokeURL: "https://slack.com/api/auth.revoke",
	},
	ScopeSeparator: ",",
	TokenTypes:     []TokenType{BotToken, UserToken},
	Catalog:        slackScopes,
}

// Slack scopes that scopegate's tools use. The strings are Slack's own.
// Slack names scopes after the kind of conversation they reach: channels
// are public channels, groups private channels, im direct messages and
// mpim group direct messages.
const (
	SlackChannelsRead    Scope = "channels:read"
	SlackChannelsHistory Scope = "channels:history"
	SlackChannelsJoin    Scope = "channels:join"
	SlackChannelsManage  Scope = "channels:manage"
	SlackChannelsWrite   Scope = "channels:write"

	SlackGroupsRead    Scope = "groups:read"
	SlackGroupsHistory Scope = "groups:history"
	SlackGroupsWrite   Scope = "groups:write"

	SlackIMRead    Scope = "im:read"
	SlackIMHistory Scope = "im:history"
	SlackIMWrite   Scope = "im:write"

	SlackMPIMRead    Scope = "mpim:read"
	SlackMPIMHistory Scope = "mpim:history"
	SlackMPIMWrite   Scope = "mpim:write"

	SlackChatWrite      Scope = "chat:write"
	SlackFilesRead      Scope = "files:read"
	SlackFilesWrite     Scope = "files:write"
	SlackSearchRead     Scope = "search:read"
	SlackUsersRead      Scope = "users:read"
	SlackUsersReadEmail Scope = "users:read.email"
)

// Token types a Slack scope can be granted to.
var (
	slackBotAndUser = []TokenType{BotToken, UserToken}
	slackBotOnly    = []TokenType{BotToken}
	slackUserOnly   = []TokenType{UserToken}
)

// slackScopes are the Slack scopes scopegate's tools use: every scope that
// one of the Web API methods the tools call accepts, for a bot or a user
// token. With a bot token scopegate acts as its Slack app and reaches the
// conversations the app was added to; with a user token it acts as you.
//
// Slack classifies no scope as sensitive. No scope here covers another:
// reading a channel's messages (channels:history) is separate from seeing
// that it exists (channels:read), and writing files does not include
// reading them. TokenTypes follow Slack's scope reference; where the method
// reference lists a scope for a token type the scope reference does not
// grant it to (channels:write for bots in conversations.create), the scope
// reference wins.
var slackScopes = []ScopeInfo{
	{
		Scope: SlackChannelsRead,
		Title: "See public channels",
		Explanation: "List the public channels of your workspace and see their names, " +
			"topics and members. It cannot read their messages.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackChannelsHistory,
		Title: "Read public channel messages",
		Explanation: "Read the messages and threads of public channels scopegate can " +
			"reach. It cannot post.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackChannelsJoin,
		Title: "Join public channels",
		Explanation: "Let scopegate's Slack app join public channels by itself, so it can " +
			"read or post there. For the app's own token only.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotOnly,
	},
	{
		Scope: SlackChannelsManage,
		Title: "Create and manage public channels",
		Explanation: "Let scopegate's Slack app create public channels and rename, archive " +
			"or invite people to those it is in. For the app's own token only.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotOnly,
	},
	{
		Scope: SlackChannelsWrite,
		Title: "Manage public channels as you",
		Explanation: "Create, join, rename and archive public channels on your behalf. " +
			"For your own token only.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackUserOnly,
	},
	{
		Scope: SlackGroupsRead,
		Title: "See private channels",
		Explanation: "See the names, topics and members of private channels scopegate can " +
			"reach. It cannot read their messages.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope:       SlackGroupsHistory,
		Title:       "Read private channel messages",
		Explanation: "Read the messages and threads of private channels scopegate can reach.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackGroupsWrite,
		Title: "Create and manage private channels",
		Explanation: "Create private channels, and rename, archive or invite people to " +
			"those scopegate can reach.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackIMRead,
		Title: "See direct messages",
		Explanation: "See which direct conversations scopegate can reach and with whom. It " +
			"cannot read what was said.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope:       SlackIMHistory,
		Title:       "Read direct messages",
		Explanation: "Read the messages of direct conversations scopegate can reach.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope:       SlackIMWrite,
		Title:       "Start direct messages",
		Explanation: "Open direct conversations with people in your workspace.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackMPIMRead,
		Title: "See group direct messages",
		Explanation: "See which group direct conversations scopegate can reach and who is " +
			"in them. It cannot read what was said.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope:       SlackMPIMHistory,
		Title:       "Read group direct messages",
		Explanation: "Read the messages of group direct conversations scopegate can reach.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope:       SlackMPIMWrite,
		Title:       "Start group direct messages",
		Explanation: "Open direct conversations with several people at once.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackChatWrite,
		Title: "Send messages",
		Explanation: "Post, edit and delete messages in conversations scopegate can reach: " +
			"as its Slack app with the app's token, as you with yours.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackFilesRead,
		Title: "See files",
		Explanation: "List and download the files shared in conversations scopegate can " +
			"reach. It cannot upload or delete files.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackFilesWrite,
		Title: "Upload files",
		Explanation: "Upload, change and delete files, as scopegate's Slack app or as you. " +
			"It does not include listing or reading other files.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackSearchRead,
		Title: "Search your workspace",
		Explanation: "Search the messages and files you can see in your workspace. For your " +
			"own token only; the app's token cannot hold it.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackUserOnly,
	},
	{
		Scope: SlackUsersRead,
		Title: "See people in your workspace",
		Explanation: "List the people in your workspace and see their names, titles and " +
			"time zones. It does not show email addresses.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
	{
		Scope: SlackUsersReadEmail,
		Title: "See people's email addresses",
		Explanation: "See the email addresses of people in your workspace and find someone " +
			"by email address.",
		Sensitivity: NotSensitive,
		TokenTypes:  slackBotAndUser,
	},
}
