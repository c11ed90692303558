package registry

// Atlassian is Atlassian's OAuth 2.0 (3LO) for Jira Cloud, with classic and
// granular scopes.
var Atlassian = &Provider{
	ID:    "atlassian",
	Title: "Atlassian",
	Endpoints: Endpoints{
		AuthURL:  "https://auth.atlassian.com/authorize",
		TokenURL: "https://auth.atlassian.com/oauth/token",
	},
	AlwaysRequest: ScopeSet{"offline_access"},
	Catalog:       atlassianScopes,
}

// Atlassian scopes that scopegate's Jira tools use. The strings are
// Atlassian's own. Classic scopes are named "verb:jira-noun"; granular ones
// "verb:resource:jira".
const (
	AtlassianOfflineAccess Scope = "offline_access"

	JiraReadWork            Scope = "read:jira-work"
	JiraWriteWork           Scope = "write:jira-work"
	JiraReadUser            Scope = "read:jira-user"
	JiraManageConfiguration Scope = "manage:jira-configuration"
)

// Granular Jira scopes. Each operation that accepts them needs a whole set
// at once, in place of its one classic scope. JiraReadUserGranular carries
// a suffix because the classic read:jira-user takes the plain name.
const (
	JiraReadIssue              Scope = "read:issue:jira"
	JiraReadIssueDetails       Scope = "read:issue-details:jira"
	JiraReadIssueMeta          Scope = "read:issue-meta:jira"
	JiraReadIssueSecurityLevel Scope = "read:issue-security-level:jira"
	JiraReadIssueVote          Scope = "read:issue.vote:jira"
	JiraReadIssueChangelog     Scope = "read:issue.changelog:jira"
	JiraReadIssueTransition    Scope = "read:issue.transition:jira"
	JiraReadIssueType          Scope = "read:issue-type:jira"
	JiraReadIssueTypeHierarchy Scope = "read:issue-type-hierarchy:jira"
	JiraReadComment            Scope = "read:comment:jira"
	JiraReadCommentProperty    Scope = "read:comment.property:jira"
	JiraReadField              Scope = "read:field:jira"
	JiraReadFieldDefaultValue  Scope = "read:field.default-value:jira"
	JiraReadFieldOption        Scope = "read:field.option:jira"
	JiraReadFieldConfiguration Scope = "read:field-configuration:jira"
	JiraReadStatus             Scope = "read:status:jira"
	JiraReadAvatar             Scope = "read:avatar:jira"
	JiraReadAuditLog           Scope = "read:audit-log:jira"
	JiraReadGroup              Scope = "read:group:jira"
	JiraReadUserGranular       Scope = "read:user:jira"
	JiraReadUserProperty       Scope = "read:user.property:jira"
	JiraReadApplicationRole    Scope = "read:application-role:jira"
	JiraReadProject            Scope = "read:project:jira"
	JiraReadProjectProperty    Scope = "read:project.property:jira"
	JiraReadProjectComponent   Scope = "read:project.component:jira"
	JiraReadProjectVersion     Scope = "read:project-version:jira"
	JiraReadProjectCategory    Scope = "read:project-category:jira"
	JiraReadProjectRole        Scope = "read:project-role:jira"
	JiraWriteIssue             Scope = "write:issue:jira"
	JiraWriteIssueProperty     Scope = "write:issue.property:jira"
	JiraWriteComment           Scope = "write:comment:jira"
	JiraWriteCommentProperty   Scope = "write:comment.property:jira"
	JiraWriteAttachment        Scope = "write:attachment:jira"
	JiraWriteProject           Scope = "write:project:jira"
)

// atlassianScopes are the Jira scopes scopegate's tools use, classic and
// granular: every scope that one of the Jira operations the tools call
// accepts, plus offline_access.
//
// Atlassian classifies no Jira scope as sensitive; what a scope reaches is
// further limited by the user's own Jira permissions. No scope covers
// another. Each operation names one classic scope, and write:jira-work is
// not accepted where read:jira-work is (nor the reverse), so a tool that
// reads before it writes needs both. The granular scopes are not listed as
// covered by the classic ones: Atlassian publishes no such mapping, and the
// two kinds are alternatives per operation, not a hierarchy.
var atlassianScopes = concat(
	atlassianIdentityScopes,
	jiraClassicScopes,
	jiraGranularScopes,
)

// atlassianIdentityScopes reach no Jira data.
var atlassianIdentityScopes = []ScopeInfo{
	{
		Scope: AtlassianOfflineAccess,
		Title: "Stay connected",
		Explanation: "Keep the access you approved while you are away, so you do not have " +
			"to approve again each time scopegate acts for you. It grants nothing else.",
		Sensitivity: NotSensitive,
	},
}

// jiraClassicScopes are the broad scopes Atlassian recommends.
var jiraClassicScopes = []ScopeInfo{
	{
		Scope: JiraReadWork,
		Title: "Read Jira projects and issues",
		Explanation: "Search for issues and read the projects, issues, comments, " +
			"attachments and work logs you can see in Jira. It cannot change anything.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: JiraWriteWork,
		Title: "Create and change Jira issues",
		Explanation: "Create and edit issues, move them through their workflow, comment as " +
			"you, log work and delete issues. Reading them is a separate permission.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: JiraReadUser,
		Title: "Read Jira user profiles",
		Explanation: "Read your own Jira profile and the names, avatars and email addresses " +
			"of other users, as far as Jira lets you see them.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: JiraManageConfiguration,
		Title: "Administer Jira",
		Explanation: "Change Jira's global settings, such as creating projects and custom " +
			"fields. It only works if you are a Jira administrator.",
		Sensitivity: NotSensitive,
	},
}

// jiraGranularScopes are Atlassian's narrow scopes, each about one kind of
// Jira object. They are requested together, as the set an operation names.
var jiraGranularScopes = []ScopeInfo{
	{
		Scope:       JiraReadIssue,
		Title:       "Read issues",
		Explanation: "Read the issues you can see in Jira.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueDetails,
		Title:       "Read issue details",
		Explanation: "See the fields and details of the issues a search finds.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueMeta,
		Title:       "Read what issues may contain",
		Explanation: "See which fields and issue types are offered when creating an issue.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueSecurityLevel,
		Title:       "Read issue security levels",
		Explanation: "See the security levels that limit who may view an issue.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueVote,
		Title:       "Read issue votes",
		Explanation: "See how many votes an issue has and who voted.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueChangelog,
		Title:       "Read issue history",
		Explanation: "See the record of changes made to issues.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueTransition,
		Title:       "Read issue transitions",
		Explanation: "See which workflow steps an issue can move to next.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueType,
		Title:       "Read issue types",
		Explanation: "See the kinds of issue, such as bug or task, that projects use.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadIssueTypeHierarchy,
		Title:       "Read issue type levels",
		Explanation: "See how issue types nest, such as epics above stories.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadComment,
		Title:       "Read comments",
		Explanation: "Read the comments on issues you can see.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadCommentProperty,
		Title:       "Read comment properties",
		Explanation: "Read extra data that apps have stored on issue comments.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadField,
		Title:       "Read fields",
		Explanation: "See the built-in and custom fields defined in Jira.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadFieldDefaultValue,
		Title:       "Read field defaults",
		Explanation: "See the values fields take when nobody fills them in.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadFieldOption,
		Title:       "Read field choices",
		Explanation: "See the choices that list fields offer.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadFieldConfiguration,
		Title:       "Read field configurations",
		Explanation: "See which fields are required, optional or hidden in each project.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadStatus,
		Title:       "Read statuses",
		Explanation: "See the workflow statuses issues can be in.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadAvatar,
		Title:       "Read avatars",
		Explanation: "See the pictures of users, projects and issue types.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: JiraReadAuditLog,
		Title: "Read audit logs",
		Explanation: "Read Jira's record of administrative changes, if your Jira " +
			"permissions allow it.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadGroup,
		Title:       "Read groups",
		Explanation: "See the user groups of your Jira site.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: JiraReadUserGranular,
		Title: "Read users",
		Explanation: "See the names and avatars of Jira users, and their email addresses " +
			"where Jira shows them.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadUserProperty,
		Title:       "Read user properties",
		Explanation: "Read extra data that apps have stored on Jira users.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadApplicationRole,
		Title:       "Read product access",
		Explanation: "See which Jira products users and groups have access to.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadProject,
		Title:       "Read projects",
		Explanation: "See the projects you can browse.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadProjectProperty,
		Title:       "Read project properties",
		Explanation: "Read extra data that apps have stored on projects.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadProjectComponent,
		Title:       "Read project components",
		Explanation: "See the components that divide a project into parts.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadProjectVersion,
		Title:       "Read project versions",
		Explanation: "See the versions and releases of projects.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadProjectCategory,
		Title:       "Read project categories",
		Explanation: "See the categories projects are grouped in.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraReadProjectRole,
		Title:       "Read project roles",
		Explanation: "See project roles, such as administrators or developers, and who holds them.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: JiraWriteIssue,
		Title: "Create and edit issues",
		Explanation: "Create issues and change them, including moving them through their " +
			"workflow.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraWriteIssueProperty,
		Title:       "Write issue properties",
		Explanation: "Store and change extra data on issues.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraWriteComment,
		Title:       "Write comments",
		Explanation: "Add comments to issues as you and edit them.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraWriteCommentProperty,
		Title:       "Write comment properties",
		Explanation: "Store and change extra data on issue comments.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       JiraWriteAttachment,
		Title:       "Add attachments",
		Explanation: "Attach files to issues and change attachments.",
		Sensitivity: NotSensitive,
	},
	{
		Scope: JiraWriteProject,
		Title: "Create and edit projects",
		Explanation: "Create projects and change their details. Creating a project needs " +
			"Jira administrator rights.",
		Sensitivity: NotSensitive,
	},
}
