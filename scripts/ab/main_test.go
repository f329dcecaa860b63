package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePlume writes a shell script that answers plume bench --json with a
// pp128 and a tg64 row at $FAKE_TS tok/s, less 0.1, plus 0 or plus 0.1 in
// turn (its calls counted in the file $FAKE_COUNTER, from $FAKE_OFF), and
// kernels $FAKE_KERNELS; or fails with a message when $FAKE_FAIL is set.
func fakePlume(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plume")
	script := `#!/bin/bash
if [ -n "$FAKE_FAIL" ]; then echo "plume: $FAKE_FAIL" >&2; exit 1; fi
case "$*" in *"--json"*) ;; *) echo "no --json" >&2; exit 2 ;; esac
n=$(cat "$FAKE_COUNTER" 2>/dev/null || echo "$FAKE_OFF")
echo $(( n + 1 )) > "$FAKE_COUNTER"
v=$(( FAKE_TS * 10 + n % 3 - 1 ))
ts=$(printf '%d.%d' $(( v / 10 )) $(( v % 10 )))
echo "[{\"test\":\"pp128\",\"avg_ts\":$ts,\"kernels\":\"$FAKE_KERNELS\"},{\"test\":\"tg64\",\"avg_ts\":$ts,\"kernels\":\"$FAKE_KERNELS\"}]"
`
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func modelFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(p, []byte("GGUF"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseVariant(t *testing.T) {
	bin := fakePlume(t)
	dir := t.TempDir()
	for _, c := range []struct {
		in      string
		label   string
		env     []string
		wantErr string
	}{
		{in: "old=" + bin, label: "old"},
		{in: "vnni=" + bin + ",PLUME_KERNELS=avx512vnni,X=a=b", label: "vnni", env: []string{"PLUME_KERNELS=avx512vnni", "X=a=b"}},
		{in: "=" + bin, wantErr: "want LABEL=BINARY"},
		{in: "old", wantErr: "want LABEL=BINARY"},
		{in: "a b=" + bin, wantErr: "without spaces"},
		{in: "a|b=" + bin, wantErr: "without spaces"},
		{in: "old=" + dir, wantErr: "not an executable"},
		{in: "old=/nonexistent/plume", wantErr: "not an executable"},
		{in: "old=" + bin + ",NOVALUE", wantErr: "not VAR=VALUE"},
		{in: "old=" + bin + ",=x", wantErr: "not VAR=VALUE"},
	} {
		t.Run(c.in, func(t *testing.T) {
			v, err := parseVariant(c.in)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("parseVariant(%q) = %v, want error with %q", c.in, err, c.wantErr)
				}
				return
			}
			if err != nil || v.label != c.label || v.bin != bin || strings.Join(v.env, " ") != strings.Join(c.env, " ") {
				t.Fatalf("parseVariant(%q) = %+v, %v", c.in, v, err)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	bin, model := fakePlume(t), modelFile(t)
	a, b := "a="+bin, "b="+bin
	for _, c := range []struct {
		args    []string
		wantErr string
	}{
		{args: []string{a, b, model}},
		{args: []string{"-p", "128", "-n", "0", "-rounds", "3", "-weights", "private", a, b, model}},
		{args: []string{a, model}, wantErr: "want 2..8 variants"},
		{args: []string{a, a, model}, wantErr: "given twice"},
		{args: []string{a, b, "/nonexistent.gguf"}, wantErr: "not a readable file"},
		{args: []string{"-n", "0", a, b, model}, wantErr: "at least one positive"},
		{args: []string{"-rounds", "1", a, b, model}, wantErr: "-rounds"},
		{args: []string{"-weights", "huge", a, b, model}, wantErr: "-weights"},
		{args: []string{"-t", "0", a, b, model}, wantErr: "-t and -r"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, err := parseArgs(c.args, io.Discard)
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("parseArgs: %v, want %q", err, c.wantErr)
			}
		})
	}
}

// TestRunFakePlume runs the rounds over real processes: a variant 20%
// faster comes out "faster" with an interval that holds 1.2, the same
// speed "no difference detected" or an interval about 1, and each row
// names the kernels the variant reported.
func TestRunFakePlume(t *testing.T) {
	bin, model, dir := fakePlume(t), modelFile(t), t.TempDir()
	counter := func(name string) string { return ",FAKE_COUNTER=" + filepath.Join(dir, name) }
	c, err := parseArgs([]string{"-p", "128", "-rounds", "6", "ref=" + bin + ",FAKE_TS=10,FAKE_OFF=0,FAKE_KERNELS=avx2+fma" + counter("ref"),
		"fast=" + bin + ",FAKE_TS=12,FAKE_OFF=1,FAKE_KERNELS=avx512vnni+avx2+fma" + counter("fast"),
		"same=" + bin + ",FAKE_TS=10,FAKE_OFF=1,FAKE_KERNELS=avx2+fma" + counter("same"), model}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	r, err := run(c, &log)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	if strings.Count(log.String(), "ab: round") != 18 {
		t.Errorf("progress:\n%s", log.String())
	}
	md := r.markdown(c)
	t.Log("\n" + md)
	for _, want := range []string{"| pp128 | fast |", "| tg64 | fast |", "(kernels avx512vnni+avx2+fma)", "| faster |", "| pp128 | ref |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| tg64 | fast |") && !strings.Contains(line, "| 1.20") && !strings.Contains(line, "| 1.19") && !strings.Contains(line, "| 1.21") {
			t.Errorf("fast ratio: %s", line)
		}
		if strings.HasPrefix(line, "| tg64 | same |") && (strings.Contains(line, "faster") || strings.Contains(line, "slower")) {
			t.Errorf("same speed judged different: %s", line)
		}
	}
}

func TestRunFailure(t *testing.T) {
	bin, model := fakePlume(t), modelFile(t)
	counter := ",FAKE_COUNTER=" + filepath.Join(t.TempDir(), "n")
	c, err := parseArgs([]string{"ok=" + bin + ",FAKE_TS=10" + counter, "bad=" + bin + ",FAKE_FAIL=out of memory", model}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(c, io.Discard); err == nil || !strings.Contains(err.Error(), "out of memory") || !strings.Contains(err.Error(), "bad") {
		t.Fatalf("run with a failing variant: %v", err)
	}
}
