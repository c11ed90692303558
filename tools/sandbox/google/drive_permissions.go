package google

import (
	"net/http"
	"net/mail"
	"slices"
	"strings"
)

// defaultPermissionFields is Drive's partial response for a Permission when a request
// names no fields.
const defaultPermissionFields = "kind,id,type,role"

// permissionRoles are the roles a permission may grant in a My Drive.
var permissionRoles = []string{"reader", "commenter", "writer", "owner"}

// createPermission serves permissions.create: it shares a file with a user, a group, a
// domain or anyone with the link. Sharing again with the same grantee changes the role of
// the existing permission. No notification email is sent.
func (s *Server) createPermission(w http.ResponseWriter, r *http.Request, t accessToken) {
	var req struct {
		Type         string `json:"type"`
		Role         string `json:"role"`
		EmailAddress string `json:"emailAddress"`
		Domain       string `json:"domain"`
	}
	if !decodeDriveJSON(w, r, &req) || !checkPermissionRequest(w, r, req.Type, req.Role,
		req.EmailAddress, req.Domain) {
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	id := r.PathValue("fileId")
	f := ws.lookup(id)
	if f == nil || f.id == rootFolderID || !s.reaches(idPermissionsCreate, t, f) {
		writeFileNotFound(w, id)
		return
	}
	perm := grantee(f, req.Type, req.EmailAddress, req.Domain)
	if perm.role != "owner" {
		perm.role = req.Role
	}
	f.version++
	s.log.Info("drive file shared", "client_id", t.clientID, "file_id", f.id,
		"permission_id", perm.id)
	writeSelected(w, r, permissionResource(perm), defaultPermissionFields)
}

// checkPermissionRequest answers Drive's refusal of a permission it would not create.
func checkPermissionRequest(w http.ResponseWriter, r *http.Request, kind, role, email,
	domain string) bool {
	switch {
	case kind == "":
		writeDriveError(w, 400, "required", "The permission type field is required.",
			"permission.type")
	case role == "":
		writeDriveError(w, 400, "required", "The permission role field is required.",
			"permission.role")
	case kind != "user" && kind != "group" && kind != "domain" && kind != "anyone":
		writeDriveError(w, 400, "invalid", "The permission type is invalid.",
			"permission.type")
	case !slices.Contains(permissionRoles, role):
		writeDriveError(w, 400, "invalid", "The permission role is invalid.",
			"permission.role")
	case role == "owner" && r.URL.Query().Get("transferOwnership") != "true":
		writeDriveError(w, 403, "forbidden", "The transferOwnership parameter must be "+
			"enabled when the permission role is 'owner'.", "transferOwnership")
	case (kind == "user" || kind == "group") && !validEmail(email):
		writeDriveError(w, 400, "invalid", "The specified emailAddress is invalid or not "+
			"applicable for the given permission type.", "permission.emailAddress")
	case kind == "domain" && domain == "":
		writeDriveError(w, 400, "required", "The permission domain field is required.",
			"permission.domain")
	default:
		return true
	}
	return false
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// grantee returns f's permission for the grantee, adding one when there is none.
func grantee(f *driveFile, kind, email, domain string) *drivePermission {
	for _, p := range f.permissions {
		if p.kind == kind && strings.EqualFold(p.email, email) && p.domain == domain {
			return p
		}
	}
	p := &drivePermission{kind: kind, email: email, domain: domain}
	switch kind {
	case "anyone":
		p.id = "anyoneWithLink"
	case "domain":
		p.id = permissionIDFor("domain:"+domain) + "k"
		p.displayName = domain
	default:
		p.id = permissionIDFor(email)
		given, family := displayName(email)
		p.displayName = strings.TrimSpace(given + " " + family)
	}
	f.permissions = append(f.permissions, p)
	return p
}

// permissionResource renders p as Drive's Permission resource.
func permissionResource(p *drivePermission) map[string]any {
	r := map[string]any{"kind": "drive#permission", "id": p.id, "type": p.kind,
		"role": p.role, "deleted": false, "pendingOwner": false}
	if p.email != "" {
		r["emailAddress"] = p.email
	}
	if p.displayName != "" {
		r["displayName"] = p.displayName
	}
	if p.domain != "" {
		r["domain"] = p.domain
	}
	if p.kind == "anyone" {
		r["allowFileDiscovery"] = false
	}
	return r
}
