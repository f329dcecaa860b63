package main

// The CPU class a run measures: BENCHMARKS.md holds one section per class,
// and a run replaces only the section of its own class. A class is the CPU
// brand with its model numbers dropped, the microarchitecture where cpuinfo's
// family and model (x86) or implementer and part (arm64) name one, and the
// SIMD features that pick Plume's kernels (and llama.cpp's ggml-cpu variant).

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/cpu"
)

// cpuID is what identifies the machine a run measured.
type cpuID struct {
	Arch   string // GOARCH
	Brand  string // "model name" of /proc/cpuinfo (x86), or the implementer's name (arm64)
	Vendor string // vendor_id (x86) or "CPU implementer" (arm64), as cpuinfo gives it
	// Family and Model are cpuinfo's "cpu family" and "model" (x86), or the
	// implementer and "CPU part" (arm64); -1 when absent.
	Family, Model int
	// Features are the kernel-picking SIMD features the CPU has (and the OS
	// enables), in kernelFeatures order, as /proc/cpuinfo names them.
	Features []string
}

// kernelFeatures are the features that pick Plume's kernel set (and
// llama.cpp's ggml-cpu variant), per GOARCH, named as /proc/cpuinfo's flags
// name them, with the x/sys/cpu flag that reports each.
var kernelFeatures = map[string][]struct {
	name  string
	label string // in the section heading
	has   *bool
}{
	"amd64": {
		{"avx2", "AVX2", &cpu.X86.HasAVX2},
		{"avx512f", "AVX-512F", &cpu.X86.HasAVX512F},
		{"avx512bw", "AVX-512BW", &cpu.X86.HasAVX512BW},
		{"avx512vl", "AVX-512VL", &cpu.X86.HasAVX512VL},
		{"avx512_vnni", "AVX-512 VNNI", &cpu.X86.HasAVX512VNNI},
		{"avx_vnni", "AVX-VNNI", &cpu.X86.HasAVXVNNI},
		{"amx_int8", "AMX-INT8", &cpu.X86.HasAMXInt8},
	},
	"arm64": {
		{"asimd", "NEON", &cpu.ARM64.HasASIMD},
		{"asimddp", "dotprod", &cpu.ARM64.HasASIMDDP},
		{"i8mm", "i8mm", &cpu.ARM64.HasI8MM},
	},
}

// detectCPU describes the CPU this process runs on.
func detectCPU() cpuID {
	id := cpuID{Arch: runtime.GOARCH, Family: -1, Model: -1}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		id = parseCPUInfo(runtime.GOARCH, string(b))
	} else if out, err := exec.Command("sysctl", "-n", "machdep.cpu.brand_string").Output(); err == nil {
		id.Brand = strings.TrimSpace(string(out)) // macOS: "Apple M2 Pro"
	}
	for _, f := range kernelFeatures[id.Arch] {
		if *f.has {
			id.Features = append(id.Features, f.name)
		}
	}
	return id
}

// parseCPUInfo reads the first processor's identity from /proc/cpuinfo text
// (features are left to x/sys/cpu, which also checks that the OS enables
// them).
func parseCPUInfo(arch, text string) cpuID {
	id := cpuID{Arch: arch, Family: -1, Model: -1}
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		switch k {
		case "model name":
			id.Brand = v
		case "vendor_id", "CPU implementer":
			id.Vendor = v
		case "cpu family":
			id.Family = cpuInfoInt(v)
		case "model":
			id.Model = cpuInfoInt(v)
		}
	}
	if arch == "arm64" {
		// The implementer names the class better than an arm64 "model
		// name" ("ARMv8 Processor rev 1 (v8l)"), where the kernel gives one.
		imp, part := cpuInfoInt(id.Vendor), cpuInfoPart(text)
		id.Family, id.Model = imp, part
		if name, ok := armImplementers[imp]; ok {
			id.Brand = name
		}
	}
	return id
}

// cpuInfoPart returns the first "CPU part" of arm64 cpuinfo text (-1 when absent).
func cpuInfoPart(text string) int {
	for _, line := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "CPU part" {
			return cpuInfoInt(strings.TrimSpace(v))
		}
	}
	return -1
}

// cpuInfoInt parses a decimal or 0x-prefixed cpuinfo number (-1 when it is not one).
func cpuInfoInt(s string) int {
	n, err := strconv.ParseInt(s, 0, 32)
	if err != nil || n < 0 {
		return -1
	}
	return int(n)
}

// armImplementers names the arm64 "CPU implementer" codes (Arm's MIDR_EL1
// implementer field).
var armImplementers = map[int]string{0x41: "Arm", 0x51: "Qualcomm", 0x61: "Apple", 0xc0: "Ampere"}

// uarch is one row of the microarchitecture tables: a vendor, a family and
// a range of models.
type uarch struct {
	vendor         string
	family         int
	modelLo, model int // inclusive range
	name           string
}

// uarches names the microarchitectures of the CPUs Plume's kernel sets aim
// at, from cpuinfo's vendor, family and model (x86: AMD's and Intel's
// published family/model numbers; arm64: implementer and part). A CPU
// outside the table gets no microarchitecture in its class.
var uarches = []uarch{
	{"AuthenticAMD", 0x17, 0x00, 0x2f, "Zen"},
	{"AuthenticAMD", 0x17, 0x30, 0xff, "Zen 2"},
	{"AuthenticAMD", 0x19, 0x00, 0x0f, "Zen 3"},
	{"AuthenticAMD", 0x19, 0x10, 0x1f, "Zen 4"},
	{"AuthenticAMD", 0x19, 0x20, 0x5f, "Zen 3"},
	{"AuthenticAMD", 0x19, 0x60, 0xaf, "Zen 4"},
	{"AuthenticAMD", 0x1a, 0x00, 0xff, "Zen 5"},
	{"GenuineIntel", 6, 0x55, 0x55, "Skylake-SP"},
	{"GenuineIntel", 6, 0x6a, 0x6c, "Ice Lake-SP"},
	{"GenuineIntel", 6, 0x8f, 0x8f, "Sapphire Rapids"},
	{"GenuineIntel", 6, 0xcf, 0xcf, "Emerald Rapids"},
	{"GenuineIntel", 6, 0xad, 0xae, "Granite Rapids"},
	{"GenuineIntel", 6, 0x97, 0x9a, "Alder Lake"},
	{"GenuineIntel", 6, 0xb7, 0xb7, "Raptor Lake"},
	{"GenuineIntel", 6, 0xba, 0xba, "Raptor Lake"},
	{"GenuineIntel", 6, 0xbf, 0xbf, "Raptor Lake"},
	{"0x41", 0x41, 0xd0b, 0xd0b, "Cortex-A76"},
	{"0x41", 0x41, 0xd0c, 0xd0c, "Neoverse N1"},
	{"0x41", 0x41, 0xd40, 0xd40, "Neoverse V1"},
	{"0x41", 0x41, 0xd49, 0xd49, "Neoverse N2"},
	{"0x41", 0x41, 0xd4f, 0xd4f, "Neoverse V2"},
	{"0xc0", 0xc0, 0xac3, 0xac3, "AmpereOne"},
}

// appleM finds the M-series generation in a macOS brand string ("Apple M2 Pro").
var appleM = regexp.MustCompile(`^Apple (M[0-9]+)\b`)

// microarch names id's microarchitecture, "" when the tables do not know it.
func (id cpuID) microarch() string {
	if m := appleM.FindStringSubmatch(id.Brand); m != nil {
		return m[1]
	}
	for _, u := range uarches {
		if u.vendor == id.Vendor && u.family == id.Family && id.Model >= u.modelLo && id.Model <= u.model {
			return u.name
		}
	}
	return ""
}

// brandNoise matches the parts of a brand string that name one model rather
// than the class: trademarks, "CPU"/"Processor", clock speeds, core counts,
// Intel's "12th Gen" and every word holding a digit ("7B13", "i7-12700K", "M2").
var brandNoise = regexp.MustCompile(`\((R|TM|tm|r)\)|@.*$|\b(CPU|Processor|Gen|[0-9]+-Core)\b|\S*[0-9]\S*`)

// brandFamily is a brand string without its model numbers: "AMD EPYC 7B13"
// → "AMD EPYC", "Intel(R) Xeon(R) Platinum 8488C" → "Intel Xeon Platinum",
// "Apple M2 Pro" → "Apple" (its M generation is the microarchitecture).
func brandFamily(brand string) string {
	if appleM.MatchString(brand) {
		return "Apple"
	}
	f := strings.Join(strings.Fields(brandNoise.ReplaceAllString(brand, " ")), " ")
	if f == "" {
		return "unknown CPU"
	}
	return f
}

// classKey is the stable key of id's class, written as `<!-- cpu: KEY -->`
// before its section: GOARCH/brand/microarchitecture/features, brand being
// brandFamily lowercased with runs of other characters than letters and
// digits as "-", the microarchitecture lowercased without spaces ("zen3")
// and the features joined by "+", each "-" when unknown or none:
// "amd64/amd-epyc/zen3/avx2".
func (id cpuID) classKey() string {
	return strings.Join([]string{id.Arch, slug(brandFamily(id.Brand)),
		orDash(strings.ToLower(strings.ReplaceAll(id.microarch(), " ", ""))), orDash(strings.Join(id.Features, "+"))}, "/")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// className is the section heading of id's class: "AMD EPYC (Zen 3 class,
// AVX2)".
func (id cpuID) className() string {
	var parts []string
	if u := id.microarch(); u != "" {
		parts = append(parts, u+" class")
	}
	for _, f := range kernelFeatures[id.Arch] {
		for _, have := range id.Features {
			if have == f.name {
				parts = append(parts, f.label)
			}
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no SIMD kernels")
	}
	return fmt.Sprintf("%s (%s)", brandFamily(id.Brand), strings.Join(parts, ", "))
}

// ggmlVariantLine is the line ggml logs when it loads a CPU backend variant
// (ggml-backend-reg.cpp): "load_backend: loaded CPU backend from DIR/libggml-cpu-haswell.so".
var ggmlVariantLine = regexp.MustCompile(`loaded CPU backend from (\S*libggml-cpu-([A-Za-z0-9_]+)\.so)`)

// llamaVariant says which ggml-cpu variant llama-bench loaded, from its
// standard error, and whether it had a choice: bench/README.md forces a
// variant by leaving only that library beside the binary (others counts the
// libggml-cpu-*.so files there).
func llamaVariant(stderr string, others int) string {
	m := ggmlVariantLine.FindStringSubmatch(stderr)
	switch {
	case m == nil:
		return "ggml-cpu variant not reported"
	case others == 1:
		return fmt.Sprintf("ggml-cpu variant `%s` (forced: the only one beside llama-bench)", m[2])
	default:
		return fmt.Sprintf("ggml-cpu variant `%s` (picked by ggml at start-up among %d)", m[2], others)
	}
}
