// Package testutil holds helpers shared by Plume's tests: locating the
// read-only ../shared fixtures beside the repository, and skipping with a
// clear message when they are absent.
package testutil
