// Package githubtest is a fake of the parts of the GitHub REST API hubfleet
// uses (issue comments, pull requests, commit statuses), served by httptest
// under a non-empty base path. It follows GitHub's documented behaviour:
// bearer-token auth (401 otherwise), per_page/page pagination with Link
// headers, X-RateLimit-* headers on every response, 404 for unknown
// resources, 422 validation errors, and injectable faults (5xx, primary and
// secondary rate limits). It records every request so tests can assert the
// calls made.
package githubtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BasePath is the path prefix the fake serves the API under, like GitHub
// Enterprise's /api/v3/: clients that drop the base path fail.
const BasePath = "/api-v3/"

// Request is one request the server received.
type Request struct {
	Method string
	Path   string // without BasePath, e.g. "repos/o/r/issues/1/comments"
	Query  url.Values
	Body   string
}

// String is "METHOD path".
func (r Request) String() string { return r.Method + " " + r.Path }

// Comment is an issue comment held by the server.
type Comment struct {
	ID    int64  `json:"id"`
	Body  string `json:"body"`
	User  User   `json:"user"`
	URL   string `json:"html_url"`
	Issue int    `json:"-"`
}

// User is a GitHub account.
type User struct {
	Login string `json:"login"`
	Type  string `json:"type"`
}

// Branch is the head or base of a pull request.
type Branch struct {
	Label string `json:"label"`
	Ref   string `json:"ref"`
	SHA   string `json:"sha"`
}

// PullRequest is a pull request held by the server.
type PullRequest struct {
	Number int    `json:"number"`
	State  string `json:"state"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Draft  bool   `json:"draft"`
	Head   Branch `json:"head"`
	Base   Branch `json:"base"`
	URL    string `json:"html_url"`
}

// Status is a commit status held by the server.
type Status struct {
	ID          int64  `json:"id"`
	SHA         string `json:"-"`
	State       string `json:"state"`
	Context     string `json:"context"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

// Fault makes the next Times requests matching Method and Path fail with
// Status, Header and Body. With Apply set the request takes effect first (a
// gateway error after the write happened).
type Fault struct {
	Method string
	Path   string // without BasePath
	Status int
	Header http.Header
	Body   string
	Times  int
	Apply  bool
}

// Server is the fake GitHub API.
type Server struct {
	Owner, Repo string
	Token       string
	Bot         User

	srv *httptest.Server

	mu        sync.Mutex
	nextID    int64
	comments  []*Comment
	pulls     []*PullRequest
	statuses  []*Status
	faults    []*Fault
	requests  []Request
	remaining int
	reset     time.Time
}

// NewServer starts a fake for owner/repo that accepts token. It is closed
// when the test ends.
func NewServer(t testing.TB, owner, repo, token string) *Server {
	t.Helper()
	s := &Server{
		Owner: owner, Repo: repo, Token: token,
		Bot:       User{Login: "hubfleet[bot]", Type: "Bot"},
		nextID:    1000,
		remaining: 5000,
		reset:     time.Now().Add(time.Hour).Truncate(time.Second),
	}
	mux := http.NewServeMux()
	p := BasePath + "repos/{owner}/{repo}/"
	mux.HandleFunc("GET "+p+"issues/{number}/comments", s.listComments)
	mux.HandleFunc("POST "+p+"issues/{number}/comments", s.createComment)
	mux.HandleFunc("PATCH "+p+"issues/comments/{id}", s.editComment)
	mux.HandleFunc("GET "+p+"pulls", s.listPulls)
	mux.HandleFunc("POST "+p+"pulls", s.createPull)
	mux.HandleFunc("PATCH "+p+"pulls/{number}", s.editPull)
	mux.HandleFunc("POST "+p+"statuses/{sha}", s.createStatus)
	mux.HandleFunc("GET "+p+"commits/{ref}/status", s.combinedStatus)
	s.srv = httptest.NewServer(s.middleware(mux))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API base URL, with BasePath and a trailing slash.
func (s *Server) URL() string { return s.srv.URL + BasePath }

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// RateLimited is the 403 GitHub sends when the primary rate limit is used up.
func RateLimited(method, path string, reset time.Time) Fault {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", "5000")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	return Fault{Method: method, Path: path, Status: http.StatusForbidden, Header: h,
		Body: `{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`}
}

// SecondaryRateLimited is the 403 GitHub sends when a secondary rate limit
// is hit, with Retry-After in seconds.
func SecondaryRateLimited(method, path string, retryAfter int) Fault {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(retryAfter))
	return Fault{Method: method, Path: path, Status: http.StatusForbidden, Header: h,
		Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`}
}

// ServerError is a 5xx with GitHub's JSON error shape.
func ServerError(method, path string, status int) Fault {
	return Fault{Method: method, Path: path, Status: status,
		Body: fmt.Sprintf(`{"message":%q}`, http.StatusText(status))}
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Calls returns "METHOD path" for every request received so far.
func (s *Server) Calls() []string {
	var c []string
	for _, r := range s.Requests() {
		c = append(c, r.String())
	}
	return c
}

// Comments returns the comments on an issue, oldest first.
func (s *Server) Comments(issue int) []Comment {
	return copies(&s.mu, s.comments, func(c *Comment) bool { return c.Issue == issue })
}

// AddComment adds a comment as user (for setting up a busy thread).
func (s *Server) AddComment(issue int, login, body string) Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addComment(issue, User{Login: login, Type: "User"}, body)
}

// PullRequests returns every pull request.
func (s *Server) PullRequests() []PullRequest {
	return copies(&s.mu, s.pulls, func(*PullRequest) bool { return true })
}

// Statuses returns the statuses posted for sha, oldest first.
func (s *Server) Statuses(sha string) []Status {
	return copies(&s.mu, s.statuses, func(st *Status) bool { return st.SHA == sha })
}

// copies returns, under mu, a copy of each item keep accepts, in order.
func copies[T any](mu *sync.Mutex, items []*T, keep func(*T) bool) []T {
	mu.Lock()
	defer mu.Unlock()
	var out []T
	for _, it := range items {
		if keep(it) {
			out = append(out, *it)
		}
	}
	return out
}

func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		path := strings.TrimPrefix(r.URL.Path, BasePath)

		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.Query(), Body: string(body)})
		if s.remaining > 0 {
			s.remaining--
		}
		h := w.Header()
		h.Set("X-RateLimit-Limit", "5000")
		h.Set("X-RateLimit-Remaining", strconv.Itoa(s.remaining))
		h.Set("X-RateLimit-Used", strconv.Itoa(5000-s.remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(s.reset.Unix(), 10))
		h.Set("X-RateLimit-Resource", "core")
		h.Set("X-GitHub-Media-Type", "github.v3; format=json")
		var fault *Fault
		for _, f := range s.faults {
			if f.Times > 0 && f.Method == r.Method && f.Path == path {
				f.Times--
				fault = f
				break
			}
		}
		s.mu.Unlock()

		if !strings.HasPrefix(r.URL.Path, BasePath) {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+s.Token {
			writeJSON(w, http.StatusUnauthorized, map[string]string{
				"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
			return
		}
		if fault != nil {
			if fault.Apply {
				next.ServeHTTP(httptest.NewRecorder(), r)
			}
			for k, v := range fault.Header {
				h[k] = v
			}
			h.Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(fault.Status)
			io.WriteString(w, fault.Body)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) checkRepo(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("owner") != s.Owner || r.PathValue("repo") != s.Repo {
		writeJSON(w, http.StatusNotFound, map[string]string{
			"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
		return false
	}
	return true
}

func (s *Server) addComment(issue int, user User, body string) *Comment {
	s.nextID++
	c := &Comment{ID: s.nextID, Issue: issue, Body: body, User: user,
		URL: fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", s.Owner, s.Repo, issue, s.nextID)}
	s.comments = append(s.comments, c)
	return c
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	all := s.Comments(issue)
	s.paginate(w, r, len(all), func(lo, hi int) any { return all[lo:hi] })
}

// paginate writes items [lo,hi) of n for the page asked for, with a Link
// header like GitHub's (next, last, first, prev; absolute URLs).
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, n int, slice func(lo, hi int) any) {
	perPage := 30
	if v := r.URL.Query().Get("per_page"); v != "" {
		p, err := strconv.Atoi(v)
		if err == nil && p > 0 {
			perPage = min(p, 100)
		}
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err == nil && p > 0 {
			page = p
		}
	}
	last := max(1, (n+perPage-1)/perPage)
	lo := min(n, (page-1)*perPage)
	hi := min(n, lo+perPage)

	link := func(p int, rel string) string {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		u.RawQuery = q.Encode()
		return fmt.Sprintf(`<%s%s>; rel="%s"`, s.srv.URL, u.RequestURI(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, slice(lo, hi))
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	body, ok := readCommentBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	c := s.addComment(issue, s.Bot, body)
	out := *c
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	body, ok := readCommentBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.comments {
		if c.ID == id {
			if c.User.Login != s.Bot.Login {
				writeJSON(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration"})
				return
			}
			c.Body = body
			writeJSON(w, http.StatusOK, *c)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

func (s *Server) listPulls(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var out []PullRequest
	for _, p := range s.PullRequests() {
		if state != "all" && p.State != state {
			continue
		}
		if h := q.Get("head"); h != "" && p.Head.Label != h {
			continue
		}
		if b := q.Get("base"); b != "" && p.Base.Ref != b {
			continue
		}
		out = append(out, p)
	}
	// GitHub's default sort is by creation, newest first.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number > out[j].Number })
	s.paginate(w, r, len(out), func(lo, hi int) any { return out[lo:hi] })
}

func (s *Server) createPull(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	var in struct {
		Title *string `json:"title"`
		Head  *string `json:"head"`
		Base  *string `json:"base"`
		Body  *string `json:"body"`
		Draft *bool   `json:"draft"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	switch {
	case in.Title == nil || *in.Title == "":
		validationFailed(w, "PullRequest", "title", "missing_field", "")
		return
	case in.Head == nil || *in.Head == "":
		validationFailed(w, "PullRequest", "head", "missing_field", "")
		return
	case in.Base == nil || *in.Base == "":
		validationFailed(w, "PullRequest", "base", "missing_field", "")
		return
	}
	head := *in.Head
	if !strings.Contains(head, ":") {
		head = s.Owner + ":" + head
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pulls {
		if p.State == "open" && p.Head.Label == head && p.Base.Ref == *in.Base {
			validationFailed(w, "PullRequest", "", "custom", "A pull request already exists for "+head+".")
			return
		}
	}
	p := &PullRequest{
		Number: len(s.pulls) + 1, State: "open", Title: *in.Title,
		Head: Branch{Label: head, Ref: strings.SplitN(head, ":", 2)[1]},
		Base: Branch{Label: s.Owner + ":" + *in.Base, Ref: *in.Base},
	}
	if in.Body != nil {
		p.Body = *in.Body
	}
	if in.Draft != nil {
		p.Draft = *in.Draft
	}
	p.URL = fmt.Sprintf("https://github.com/%s/%s/pull/%d", s.Owner, s.Repo, p.Number)
	s.pulls = append(s.pulls, p)
	writeJSON(w, http.StatusCreated, *p)
}

func (s *Server) editPull(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	n, _ := strconv.Atoi(r.PathValue("number"))
	var in struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pulls {
		if p.Number != n {
			continue
		}
		if in.Title != nil {
			p.Title = *in.Title
		}
		if in.Body != nil {
			p.Body = *in.Body
		}
		if in.State != nil {
			p.State = *in.State
		}
		if in.Base != nil {
			p.Base = Branch{Label: s.Owner + ":" + *in.Base, Ref: *in.Base}
		}
		writeJSON(w, http.StatusOK, *p)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
}

var validStates = map[string]bool{"error": true, "failure": true, "pending": true, "success": true}

func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	var in Status
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	if !validStates[in.State] {
		validationFailed(w, "Status", "state", "custom", "state is not included in the list")
		return
	}
	if len(in.Description) > 140 {
		validationFailed(w, "Status", "description", "custom", "description is too long (maximum is 140 characters)")
		return
	}
	if in.Context == "" {
		in.Context = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	in.ID = s.nextID
	in.SHA = r.PathValue("sha")
	st := in
	s.statuses = append(s.statuses, &st)
	writeJSON(w, http.StatusCreated, in)
}

// combinedStatus answers like GitHub: the latest status per context
// (paginated), and a combined state: failure if any is failure or error,
// pending if any is pending or there are none, success otherwise.
func (s *Server) combinedStatus(w http.ResponseWriter, r *http.Request) {
	if !s.checkRepo(w, r) {
		return
	}
	ref := r.PathValue("ref")
	all := s.Statuses(ref)
	latest := map[string]Status{}
	var order []string
	for i := len(all) - 1; i >= 0; i-- {
		if _, seen := latest[all[i].Context]; !seen {
			latest[all[i].Context] = all[i]
			order = append(order, all[i].Context)
		}
	}
	state := "success"
	if len(order) == 0 {
		state = "pending"
	}
	list := make([]Status, 0, len(order))
	for _, c := range order {
		st := latest[c]
		list = append(list, st)
		switch {
		case st.State == "failure" || st.State == "error":
			state = "failure"
		case st.State == "pending" && state != "failure":
			state = "pending"
		}
	}
	s.paginate(w, r, len(list), func(lo, hi int) any {
		return map[string]any{"state": state, "sha": ref, "total_count": len(list), "statuses": list[lo:hi]}
	})
}

func validationFailed(w http.ResponseWriter, resource, field, code, message string) {
	e := map[string]string{"resource": resource, "code": code}
	if field != "" {
		e["field"] = field
	}
	if message != "" {
		e["message"] = message
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            []map[string]string{e},
		"documentation_url": "https://docs.github.com/rest",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// readCommentBody decodes a comment's body as GitHub validates it: 400 for
// bad JSON, 422 for a missing or too long body. ok is false when it has
// answered the request.
func readCommentBody(w http.ResponseWriter, r *http.Request) (body string, ok bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return "", false
	}
	if in.Body == nil || *in.Body == "" {
		validationFailed(w, "IssueComment", "body", "missing_field", "")
		return "", false
	}
	if len([]rune(*in.Body)) > 65536 {
		validationFailed(w, "IssueComment", "body", "custom", "body is too long (maximum is 65536 characters)")
		return "", false
	}
	return *in.Body, true
}
