package actionmode_test

import (
	"net/http"
	"strings"

	"github.com/hubfleet/hubfleet/internal/github/githubtest"
)

func githubtestForbidden() githubtest.Fault {
	return githubtest.Fault{Method: http.MethodPost, Path: "repos/fleet/hubs/issues/7/comments", Status: http.StatusForbidden,
		Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/comments#create-an-issue-comment"}`}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
