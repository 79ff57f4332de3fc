// Package report is how hubfleet tells a person what it did: log groups per
// site, annotations pointing at a file and line, a Markdown summary, named
// outputs, and masking of every secret value read along the way.
//
// A Reporter has two implementations behind one small interface: Actions,
// which speaks GitHub Actions workflow commands through go-githubactions, and
// Terminal, which prints the same information as plain text (and redacts
// masked values itself, since no runner does it for it). New picks one from
// the environment, so the same code runs in a workflow and in a shell.
package report
