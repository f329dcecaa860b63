package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/plumewriter/plume/internal/watermark"
)

// watermarkFlags are plume write's --watermark and --watermark-key.
type watermarkFlags struct {
	mode    string // "on" or "off"
	keyFile string
}

func (w *watermarkFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&w.mode, "watermark", "on", "statistical watermark in the text (local engine only): on or off")
	fl.StringVar(&w.keyFile, "watermark-key", "", "file holding a private watermark key (default: the public key published with Plume)")
}

// key returns the key of the flags (nil with --watermark off).
func (w *watermarkFlags) key() (*watermark.Key, error) {
	switch w.mode {
	case "off":
		if w.keyFile != "" {
			return nil, usageError{fmt.Errorf("--watermark-key with --watermark off")}
		}
		return nil, nil
	case "on":
	default:
		return nil, usageError{fmt.Errorf("--watermark %q: want on or off", w.mode)}
	}
	if w.keyFile == "" {
		return watermark.DefaultKey(), nil
	}
	k, err := watermark.LoadKey(w.keyFile)
	if err != nil {
		return nil, usageError{fmt.Errorf("--watermark-key: %w", err)}
	}
	return k, nil
}

// newRunKey is the key of a new article: the flags' on the local engine,
// none on a remote backend (the manifest then says it cannot be
// watermarked).
func (w *watermarkFlags) newRunKey(backend string) (*watermark.Key, error) {
	k, err := w.key()
	if err != nil || (backend != backendLocal && backend != "") {
		return nil, err
	}
	return k, nil
}

// recordedKey is the key of a resumed or replayed article that was started
// with the key of fingerprint fp ("" = none): the public key, or the
// --watermark-key file, which must match.
func (w *watermarkFlags) recordedKey(fp string) (*watermark.Key, error) {
	if w.keyFile == "" {
		k, err := publicRecordedKey(fp)
		if err != nil {
			return nil, usageError{fmt.Errorf("the article is watermarked with the private key %s: give it with --watermark-key FILE", fp)}
		}
		return k, nil
	}
	if fp == "" {
		return nil, nil
	}
	k, err := watermark.LoadKey(w.keyFile)
	if err != nil {
		return nil, usageError{fmt.Errorf("--watermark-key: %w", err)}
	}
	if k.Fingerprint() != fp {
		return nil, usageError{fmt.Errorf("--watermark-key %s has fingerprint %s; the article was watermarked with %s", w.keyFile, k.Fingerprint(), fp)}
	}
	return k, nil
}

// errPrivateKey: an article was watermarked with a key other than the
// public one.
var errPrivateKey = errors.New("watermarked with a private key")

// publicRecordedKey is the key of an article recorded with the key of
// fingerprint fp ("" = none) when no key file is given: the public key, or
// errPrivateKey.
func publicRecordedKey(fp string) (*watermark.Key, error) {
	switch fp {
	case "":
		return nil, nil
	case watermark.DefaultKey().Fingerprint():
		return watermark.DefaultKey(), nil
	}
	return nil, errPrivateKey
}
