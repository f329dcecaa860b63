// Package llm defines Generator, the one interface through which Plume's
// writer and server ask for text, whether the tokens come from the local
// pure-Go engine or from a remote OpenAI-compatible server.
package llm
