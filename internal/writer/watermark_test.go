package writer

import (
	"errors"
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/llm"
	"github.com/plumewriter/plume/internal/watermark"
)

func TestWatermarkRecord(t *testing.T) {
	pub := watermark.DefaultKey().Fingerprint()
	tests := []struct {
		name, fp, backend string
		present, public   bool
		note              string
	}{
		{"local public", pub, LocalBackend, true, true, ""},
		{"local private", "0011223344556677", LocalBackend, true, false, ""},
		{"off", "", LocalBackend, false, false, "--watermark off"},
		{"remote", pub, "openai:http://127.0.0.1:8080", false, false, "cannot be watermarked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := watermarkRecord(tc.fp, llm.ModelInfo{Backend: tc.backend})
			if r.Present != tc.present || r.PublicKey != tc.public || !strings.Contains(r.Note, tc.note) {
				t.Fatalf("%+v", r)
			}
			if tc.present && (r.Scheme != watermark.Scheme || r.KeyFingerprint != tc.fp) {
				t.Errorf("%+v", r)
			}
		})
	}
}

func TestCheckWatermark(t *testing.T) {
	key := watermark.DefaultKey()
	other, _ := watermark.NewKey([]byte("another key of enough bytes"))
	tests := []struct {
		name string
		fp   string
		key  *watermark.Key
		ok   bool
	}{
		{"none", "", nil, true},
		{"same", key.Fingerprint(), key, true},
		{"missing key", key.Fingerprint(), nil, false},
		{"other key", key.Fingerprint(), other, false},
		{"unexpected key", "", key, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pipeline{Watermark: tc.key}
			err := p.checkWatermark(&State{Options: Options{Watermark: tc.fp}})
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrInput)) {
				t.Fatalf("err %v, ok %v", err, tc.ok)
			}
		})
	}
}
