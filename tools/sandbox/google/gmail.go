package google

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// gmailService is the service name in Gmail's ErrorInfo details.
const gmailService = "gmail.googleapis.com"

// operation is one Google API method. Its HTTP method and path come from the facts.
type operation struct {
	id string // the discovery method id, the key into the facts
	// service and rpc are the service and method names Google reports in ErrorInfo
	// details, such as "gmail.googleapis.com" and
	// "caribou.api.proto.MailboxService.ListMessages".
	service, rpc string
	// handle serves the call once the token is accepted; nil answers UNIMPLEMENTED.
	handle func(s *Server, w http.ResponseWriter, r *http.Request, t accessToken)
}

// gmailOp describes a Gmail method by its short RPC name.
func gmailOp(id, rpc string, handle func(*Server, http.ResponseWriter, *http.Request, accessToken)) operation {
	return operation{id: id, service: gmailService, rpc: "caribou.api.proto.MailboxService." + rpc, handle: handle}
}

// gmailOperations lists every Gmail method in the facts. All of them are gated on scopes;
// the ones without a handler then answer 501.
var gmailOperations = []operation{
	gmailOp("gmail.users.getProfile", "GetProfile", (*Server).getProfile),
	gmailOp("gmail.users.labels.list", "ListLabels", (*Server).listLabels),
	gmailOp("gmail.users.labels.create", "CreateLabel", nil),
	gmailOp("gmail.users.messages.list", "ListMessages", (*Server).listMessages),
	gmailOp("gmail.users.messages.get", "GetMessage", (*Server).getMessage),
	gmailOp("gmail.users.messages.send", "SendMessage", (*Server).sendMessage),
	gmailOp("gmail.users.messages.modify", "ModifyMessage", (*Server).modifyMessage),
	gmailOp("gmail.users.messages.trash", "TrashMessage", (*Server).trashMessage),
	gmailOp("gmail.users.messages.untrash", "UntrashMessage", (*Server).untrashMessage),
	gmailOp("gmail.users.messages.delete", "DeleteMessage", (*Server).deleteMessage),
	gmailOp("gmail.users.messages.batchModify", "BatchModifyMessages", nil),
	gmailOp("gmail.users.messages.batchDelete", "BatchDeleteMessages", nil),
	gmailOp("gmail.users.messages.attachments.get", "GetAttachment", (*Server).getAttachment),
	gmailOp("gmail.users.drafts.create", "CreateDraft", (*Server).createDraft),
	gmailOp("gmail.users.drafts.list", "ListDrafts", nil),
	gmailOp("gmail.users.drafts.send", "SendDraft", nil),
	gmailOp("gmail.users.threads.list", "ListThreads", nil),
	gmailOp("gmail.users.threads.get", "GetThread", nil),
	gmailOp("gmail.users.threads.trash", "TrashThread", nil),
}

// route registers operations at the paths the facts give. An operation
// missing from the facts is a build mistake, so it panics.
func (s *Server) route(ops []operation) {
	for _, op := range ops {
		f, ok := s.facts.Operations[op.id]
		if !ok {
			panic("google sandbox: no facts for " + op.id)
		}
		s.mux.HandleFunc(f.HTTP, s.apiHandler(op))
	}
}

// gmailHandler gates an operation: a valid token, one of the operation's accepted scopes,
// and the account's own mailbox, in that order, as Gmail checks them.
func (s *Server) apiHandler(op operation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, problem := s.lookupAccess(r)
		if problem != tokenOK {
			s.log.Info("api call unauthenticated", "operation", op.id)
			writeUnauthenticated(w, op, problem)
			return
		}
		if !s.facts.accepts(op.id, t.scopes) {
			s.log.Info("api call denied", "operation", op.id, "client_id", t.clientID,
				"granted_scopes", joinScopes(t.scopes))
			s.writeInsufficientScope(w, op)
			return
		}
		if user := r.PathValue("userId"); user != "" && user != "me" && !strings.EqualFold(user, s.account) {
			writeAPIError(w, 403, "forbidden", "Delegation denied for "+user)
			return
		}
		if op.handle == nil {
			writeAPIError(w, 501, "notImplemented",
				"The Google sandbox does not implement "+op.id+".")
			return
		}
		op.handle(s, w, r, t)
	}
}

// apiError is the error body of Google's JSON APIs.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    int            `json:"code"`
	Message string         `json:"message"`
	Errors  []apiErrorItem `json:"errors"`
	Status  string         `json:"status"`
	Details []errorInfo    `json:"details,omitempty"`
}

type apiErrorItem struct {
	Message      string `json:"message"`
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

// errorInfo is a google.rpc.ErrorInfo detail.
type errorInfo struct {
	Type     string            `json:"@type"`
	Reason   string            `json:"reason"`
	Domain   string            `json:"domain"`
	Metadata map[string]string `json:"metadata"`
}

// grpcStatus maps HTTP codes to the canonical status names Google puts in error bodies.
var grpcStatus = map[int]string{
	400: "INVALID_ARGUMENT",
	401: "UNAUTHENTICATED",
	403: "PERMISSION_DENIED",
	404: "NOT_FOUND",
	501: "UNIMPLEMENTED",
}

// writeAPIError writes a Google API error whose one error item repeats the message.
func writeAPIError(w http.ResponseWriter, code int, reason, msg string) {
	writeJSON(w, code, apiError{Error: apiErrorBody{
		Code:    code,
		Message: msg,
		Errors:  []apiErrorItem{{Message: msg, Domain: "global", Reason: reason}},
		Status:  grpcStatus[code],
	}})
}

func writeNotFound(w http.ResponseWriter) {
	writeAPIError(w, 404, "notFound", "Requested entity was not found.")
}

func writeInvalidArgument(w http.ResponseWriter, msg string) {
	writeAPIError(w, 400, "invalidArgument", msg)
}

func (op operation) errorInfo(reason string) errorInfo {
	return errorInfo{
		Type:   "type.googleapis.com/google.rpc.ErrorInfo",
		Reason: reason,
		Domain: "googleapis.com",
		Metadata: map[string]string{
			"service": op.service,
			"method":  op.rpc,
		},
	}
}

// credentialsHint ends both of Google's 401 messages.
const credentialsHint = "Expected OAuth 2 access token, login cookie or other valid " +
	"authentication credential. See https://developers.google.com/identity/sign-in/web/" +
	"devconsole-project."

// writeUnauthenticated answers a call without a usable token. Google tells a missing
// credential (with an ErrorInfo detail) from a bad one, and per RFC 6750 puts no error code
// in the challenge when no credential was sent.
func writeUnauthenticated(w http.ResponseWriter, op operation, problem tokenProblem) {
	body := apiErrorBody{Code: 401, Status: "UNAUTHENTICATED"}
	if problem == tokenMissing {
		w.Header().Set("WWW-Authenticate", wwwAuthRealm)
		body.Message = "Request is missing required authentication credential. " + credentialsHint
		body.Errors = []apiErrorItem{{Message: "Login Required.", Domain: "global",
			Reason: "required", Location: "Authorization", LocationType: "header"}}
		body.Details = []errorInfo{op.errorInfo("CREDENTIALS_MISSING")}
	} else {
		w.Header().Set("WWW-Authenticate", wwwAuthRealm+`, error="invalid_token"`)
		body.Message = "Request had invalid authentication credentials. " + credentialsHint
		body.Errors = []apiErrorItem{{Message: "Invalid Credentials", Domain: "global",
			Reason: "authError", Location: "Authorization", LocationType: "header"}}
	}
	writeJSON(w, 401, apiError{Error: body})
}

// writeInsufficientScope answers a token that holds none of the operation's accepted
// scopes. The challenge lists the scopes that would do.
func (s *Server) writeInsufficientScope(w http.ResponseWriter, op operation) {
	accepted := slices.Clone(s.facts.Operations[op.id].AcceptedScopes)
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`%s, error="insufficient_scope", scope="%s"`,
		wwwAuthRealm, joinScopes(accepted)))
	writeJSON(w, 403, apiError{Error: apiErrorBody{
		Code:    403,
		Message: "Request had insufficient authentication scopes.",
		Errors: []apiErrorItem{{Message: "Insufficient Permission", Domain: "global",
			Reason: "insufficientPermissions"}},
		Status:  "PERMISSION_DENIED",
		Details: []errorInfo{op.errorInfo("ACCESS_TOKEN_SCOPE_INSUFFICIENT")},
	}})
}

// hasMetadataScope reports whether a token holds gmail.metadata, which makes Gmail refuse
// searches and full or raw message formats whatever else the token holds.
func hasMetadataScope(t accessToken) bool {
	return slices.Contains(t.scopes, scopeMetadata)
}
