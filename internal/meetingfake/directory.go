package meetingfake

import (
	"net/http"
	"strconv"
	"strings"
)

const (
	userTypeNormal       = "NORMAL_USER"
	userTypeHardTerminal = "HARD_TERMINAL"
	defaultDirLimit      = 10
	maxDirLimit          = 500
)

func normalizeUser(u DirectoryUser, n int) DirectoryUser {
	if u.Type == "" {
		u.Type = userTypeNormal
	}
	if u.ID == "" {
		u.ID = "user-" + strconv.Itoa(n+1)
	}
	return u
}

// AddDirectoryUser appends u to the corporate directory (Type defaults to
// "NORMAL_USER", ID to a generated one).
func (s *Server) AddDirectoryUser(u DirectoryUser) {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	s.directory = append(s.directory, normalizeUser(u, len(s.directory)))
}

type userDTO struct {
	ID             string `json:"id"`
	Account        string `json:"account"`
	Name           string `json:"name"`
	EnglishName    string `json:"englishName"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	Number         string `json:"number"`
	DeptName       string `json:"deptName"`
	IsHardTerminal bool   `json:"isHardTerminal"`
	VmrID          string `json:"vmrId"`
	Title          string `json:"title"`
	Description    string `json:"description"`
	Signature      string `json:"signature"`
	UpdateTime     int64  `json:"updateTime"`
	HidePhone      bool   `json:"hidePhone"`
	Type           string `json:"type"`
	StatusCode     int    `json:"statusCode"`
}

type directoryResponse struct {
	Offset int       `json:"offset"`
	Limit  int       `json:"limit"`
	Count  int       `json:"count"`
	Data   []userDTO `json:"data"`
}

// matches is a case-insensitive substring match over account, name, email,
// phone (unless hidden) and SIP number. key must be lower case.
func matches(u DirectoryUser, key string) bool {
	if key == "" {
		return true
	}
	has := func(v string) bool { return v != "" && strings.Contains(strings.ToLower(v), key) }
	return has(u.Account) || has(u.Name) || has(u.Email) || has(u.Number) || (!u.HidePhone && has(u.Phone))
}

// handleDirectory serves GET /v1/usg/abs/users.
func (s *Server) handleDirectory(w http.ResponseWriter, r *http.Request, rid string) {
	if !s.checkAccessToken(w, r, rid) {
		return
	}
	q := r.URL.Query()
	offset, limit, ok := pageParams(r, defaultDirLimit, maxDirLimit)
	if !ok {
		writeError(w, http.StatusBadRequest, codeAuthParam, "offset and limit must be non-negative integers", rid)
		return
	}
	scope := q.Get("searchScope")
	switch scope {
	case "", "ALL", userTypeNormal, userTypeHardTerminal:
	default:
		writeError(w, http.StatusBadRequest, codeAuthParam, "unknown searchScope", rid)
		return
	}
	key := strings.ToLower(strings.TrimSpace(q.Get("searchKey")))

	var hits []DirectoryUser
	s.dirMu.RLock()
	for _, u := range s.directory {
		if (scope == "" || scope == "ALL" || u.Type == scope) && matches(u, key) {
			hits = append(hits, u)
		}
	}
	s.dirMu.RUnlock()

	offset, lo, hi := page(len(hits), offset, limit)
	resp := directoryResponse{Offset: offset, Limit: limit, Count: len(hits), Data: make([]userDTO, 0, hi-lo)}
	for _, u := range hits[lo:hi] {
		phone := u.Phone
		if u.HidePhone {
			phone = ""
		}
		resp.Data = append(resp.Data, userDTO{
			ID: u.ID, Account: u.Account, Name: u.Name, EnglishName: u.EnglishName, Email: u.Email,
			Phone: phone, Number: u.Number, IsHardTerminal: u.Type == userTypeHardTerminal,
			HidePhone: u.HidePhone, Type: u.Type,
		})
	}
	writeJSON(w, http.StatusOK, resp)
}
