// Package review compares the text a model wrote with the text a human
// editor approved: the unified diff, the word edit distance and the edit
// ratio recorded by plume articles approve and shown by plume articles diff.
package review
