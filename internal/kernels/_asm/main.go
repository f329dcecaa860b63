// Command _asm generates internal/kernels/dot4_amd64.s and its Go
// declarations (dot4_stub_amd64.go) with avo: the four-row Q8_0/Q5_0 kernels
// and the 4×2 Q8_0 tile. It lives in its own module so that avo never becomes
// a dependency of plume; the leading underscore keeps it out of ./... in the
// main module. Run it through go generate from the repository root:
//
//	go generate ./internal/kernels
//
// which runs, in internal/kernels:
//
//	go run -C _asm . -out ../dot4_amd64.s -stubs ../dot4_stub_amd64.go
//
// The output does not depend on the paths it is written to, so CI
// (scripts/test.sh) regenerates into a temporary directory and diffs.
package main

import (
	"flag"
	"fmt"
	"os"

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
	out := fs.String("out", "", "Go assembly output `file` (required)")
	stubs := fs.String("stubs", "", "Go declarations output `file` (required)")
	_ = fs.Parse(os.Args[1:]) // ExitOnError: never returns an error
	if *out == "" || *stubs == "" || fs.NArg() != 0 {
		fs.Usage()
		os.Exit(2)
	}
	if err := run(*out, *stubs); err != nil {
		fmt.Fprintln(os.Stderr, "_asm:", err)
		os.Exit(1)
	}
}

// run builds every kernel, compiles the avo file and writes both outputs;
// nothing is written unless both print.
func run(asmPath, stubPath string) error {
	g := gen{build.NewContext()}
	g.ConstraintExpr("!purego")
	g.dotQ8_0R4()
	g.dotQ5_0R4()
	g.dotQ8_0R4C2()

	f, err := g.Result()
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if err := pass.Compile.Execute(f); err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	cfg := printer.Config{Name: generatedBy, Pkg: pkgName}
	asm, err := printer.NewGoAsm(cfg).Print(f)
	if err != nil {
		return fmt.Errorf("print assembly: %w", err)
	}
	decls, err := printer.NewStubs(cfg).Print(f)
	if err != nil {
		return fmt.Errorf("print stubs: %w", err)
	}
	if err := os.WriteFile(asmPath, asm, 0o644); err != nil {
		return fmt.Errorf("write assembly: %w", err)
	}
	if err := os.WriteFile(stubPath, decls, 0o644); err != nil {
		return fmt.Errorf("write stubs: %w", err)
	}
	return nil
}
