// Command _asm generates assembly of internal/kernels and its Go
// declarations with avo: dot4_amd64.s (dot4_stub_amd64.go), the four-row
// Q8_0/Q5_0 kernels, the Q8_0 group and stream kernels (streams.go), the
// 4×2 Q8_0 tile and its scale conversion;
// dotrows_amd64.s (dotrows_stub_amd64.go), the strided F16 rows (fp16 or
// float32 activations);
// dotq6c4_amd64.s (dotq6c4_stub_amd64.go), one Q6_K row times four Q8_K
// rows; dotq4kc8_amd64.s (dotq4kc8_stub_amd64.go), repacked Q4_K rows
// times a group of eight Q8_K rows; dotvnni_amd64.s (dotvnni_stub_amd64.go),
// the four-row Q8_0/Q5_0 kernels, the 4×2 tile and the eight-activation
// Q4_K kernel again for AVX-512 VNNI; dotavxvnni_amd64.s
// (dotavxvnni_stub_amd64.go), the same for AVX-VNNI (VEX encoding);
// dotzmm_amd64.s (dotzmm_stub_amd64.go), the Q8_0 four-row, group and
// stream kernels on ZMM registers (AVX-512 F/BW/VNNI), and more (zmm.go). It lives in its own module so that avo
// never becomes a dependency of plume; the leading underscore keeps it out
// of ./... in the main module. Run it through go generate from the
// repository root:
//
//	go generate ./internal/kernels
//
// which runs, in internal/kernels:
//
//	go run -C _asm . -dir ..
//
// The output does not depend on the directory it is written to, so CI
// (scripts/test.sh) regenerates into a temporary directory and diffs.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
)

// generatedBy names the generator in the "Code generated … DO NOT EDIT."
// header. It is fixed (not os.Args) so that the output is the same whatever
// paths it is written to.
const generatedBy = "internal/kernels/_asm (go generate ./internal/kernels)"

// pkgName is the package the generated files belong to.
const pkgName = "kernels"

func main() {
	// A FlagSet of its own: importing avo's build package registers avo's
	// flags (-out, -stubs …) on flag.CommandLine.
	fs := flag.NewFlagSet("_asm", flag.ExitOnError)
	dir := fs.String("dir", "", "output `directory` (required): every file of outputs is written there")
	_ = fs.Parse(os.Args[1:]) // ExitOnError: never returns an error
	if *dir == "" || fs.NArg() != 0 {
		fs.Usage()
		os.Exit(2)
	}
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "_asm:", err)
		os.Exit(1)
	}
}

// output is one generated assembly file and its Go declarations, built by
// one avo Context.
type output struct {
	asm, stubs string    // file names in the output directory
	build      func(gen) // adds the file's functions and data
}

// outputs are the generated files; scripts/test.sh diffs all of them.
var outputs = []output{
	{"dot4_amd64.s", "dot4_stub_amd64.go", func(g gen) {
		g.dotQ8_0Rows4()
		g.dotQ8_0Quad()
		g.dotQ8_0Streams()
		g.dotQ5_0Rows4()
		g.dotQ8_0Tile42()
		g.q8_0Scales4()
	}},
	{"dotrows_amd64.s", "dotrows_stub_amd64.go", func(g gen) {
		f16Rows{g, false}.dotF16Rows()
		f16Rows{g, true}.dotF16Rows()
	}},
	{"dotq6c4_amd64.s", "dotq6c4_stub_amd64.go", gen.dotQ6KCols4},
	{"dotq4kc8_amd64.s", "dotq4kc8_stub_amd64.go", gen.dotQ4KPackedCols8},
	{"dotvnni_amd64.s", "dotvnni_stub_amd64.go", func(g gen) {
		g.vnni = true
		g.dotQ8_0Rows4()
		g.dotQ8_0Quad()
		g.dotQ8_0Streams()
		g.dotQ5_0Rows4()
		g.dotQ8_0Tile42()
		g.dotQ4KPackedCols8()
	}},
	{"dotavxvnni_amd64.s", "dotavxvnni_stub_amd64.go", func(g gen) {
		g.vnni, g.vex = true, true
		g.dotQ8_0Rows4()
		g.dotQ8_0Quad()
		g.dotQ8_0Streams()
		g.dotQ5_0Rows4()
		g.dotQ8_0Tile42()
		g.dotQ4KPackedCols8()
	}},
	{"dotzmm_amd64.s", "dotzmm_stub_amd64.go", func(g gen) {
		g.vnni = true
		g.zmmKernels()
	}},
	{"dotzmmbw_amd64.s", "dotzmmbw_stub_amd64.go", func(g gen) {
		g.ones = g.onesZ()
		g.zmmKernels()
	}},
}

// run builds every output and writes them into dir; nothing is written
// unless all of them print.
func run(dir string) error {
	files := map[string][]byte{}
	var names []string
	for _, o := range outputs {
		asm, decls, err := o.print()
		if err != nil {
			return fmt.Errorf("%s: %w", o.asm, err)
		}
		files[o.asm], files[o.stubs] = asm, decls
		names = append(names, o.asm, o.stubs)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// print builds o in a fresh Context and returns its assembly and stubs.
func (o output) print() (asm, decls []byte, err error) {
	g := gen{Context: build.NewContext()}
	g.ConstraintExpr("!purego")
	o.build(g)

	f, err := g.Result()
	if err != nil {
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	if err := pass.Compile.Execute(f); err != nil {
		return nil, nil, fmt.Errorf("compile: %w", err)
	}
	cfg := printer.Config{Name: generatedBy, Pkg: pkgName}
	if asm, err = printer.NewGoAsm(cfg).Print(f); err != nil {
		return nil, nil, fmt.Errorf("print assembly: %w", err)
	}
	if decls, err = printer.NewStubs(cfg).Print(f); err != nil {
		return nil, nil, fmt.Errorf("print stubs: %w", err)
	}
	return asm, decls, nil
}
