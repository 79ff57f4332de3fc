// Package github is hubfleet's GitHub API client, built on go-github: it keeps
// one plan comment per pull request (found by a hidden marker, created once,
// then updated), opens or updates a single pull request per bot branch, and
// sets one commit status per site.
//
// Every operation is idempotent and retried as a whole (list, then create or
// update) on 5xx responses and short secondary rate limits, so a retry after
// a write that did land finds that write instead of duplicating it. Errors
// wrap go-github's *ErrorResponse, *RateLimitError and *AbuseRateLimitError
// (use errors.As) inside an *APIError that says what was being done.
package github
