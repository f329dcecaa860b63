package main

import (
	"strings"
	"testing"

	"github.com/plumewriter/plume/internal/testutil"
)

func TestParseMemTotal(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"MemTotal:       24576000 kB\nMemFree: 1 kB\n", 24576000 << 10},
		{"MemFree: 1 kB\n", 0},
		{"MemTotal: lots kB\n", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := parseMemTotal(strings.NewReader(tt.in)); got != tt.want {
			t.Errorf("parseMemTotal(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCheckMemory(t *testing.T) {
	model := testutil.Fixture(t, "stories260K.gguf")
	old := memTotal
	t.Cleanup(func() { memTotal = old })
	need, err := modelMemory(model, 0)
	// 1185376 bytes of weights + KV 2·5 layers·2048 positions·4 kv heads·8 dims·4 bytes + margin
	if want := uint64(1185376 + 2*5*2048*4*8*4 + memoryMarginBytes); err != nil || need != want {
		t.Fatalf("modelMemory = %d, %v; want %d", need, err, want)
	}
	memTotal = func() uint64 { return need - 1 }
	if err := checkMemory(model, 0); err == nil || !strings.Contains(err.Error(), "GiB of RAM") {
		t.Errorf("checkMemory with too little RAM: %v", err)
	}
	memTotal = func() uint64 { return need }
	if err := checkMemory(model, 0); err != nil {
		t.Errorf("checkMemory with enough RAM: %v", err)
	}
	memTotal = func() uint64 { return 0 }
	if err := checkMemory(model, 0); err != nil {
		t.Errorf("checkMemory with unknown RAM: %v", err)
	}
}
