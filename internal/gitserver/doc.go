// Package gitserver serves git repositories over the real smart HTTP protocol
// on loopback: requests go to `git http-backend` through net/http/cgi, as a
// git hosting server would run it. Tests use it to give Flux's
// source-controller (or git itself) a remote to clone from.
package gitserver
