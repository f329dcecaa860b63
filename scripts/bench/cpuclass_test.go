package main

import (
	"slices"
	"testing"
)

// Excerpts of real /proc/cpuinfo files (first processor; flags cut).
const (
	cpuinfoZen3 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7B13\n" +
		"processor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7B13\n"
	cpuinfoZen5VM = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n"
	cpuinfoSPR    = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n" +
		"model name\t: Intel(R) Xeon(R) Platinum 8488C\n"
	cpuinfoAlder = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 151\n" +
		"model name\t: 12th Gen Intel(R) Core(TM) i7-12700K\n"
	cpuinfoGraviton2 = "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n" +
		"CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n"
	cpuinfoUnknown = "processor\t: 0\nvendor_id\t: CentaurHauls\ncpu family\t: 7\nmodel\t\t: 91\nmodel name\t: ZHAOXIN KaiXian KX-U6780A@2.7GHz\n"
)

// TestCPUClass checks the class key and heading of CPUs Plume targets, from
// their cpuinfo and the features x/sys/cpu would report.
func TestCPUClass(t *testing.T) {
	for _, tc := range []struct {
		name, arch, cpuinfo string
		features            []string
		key, heading        string
	}{
		{"Zen 3 EPYC", "amd64", cpuinfoZen3, []string{"avx2"},
			"amd64/amd-epyc/zen3/avx2", "AMD EPYC (Zen 3 class, AVX2)"},
		{"Zen 5 EPYC, virtual", "amd64", cpuinfoZen5VM, []string{"avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni"},
			"amd64/amd-epyc/zen5/avx2+avx512f+avx512bw+avx512vl+avx512_vnni+avx_vnni",
			"AMD EPYC (Zen 5 class, AVX2, AVX-512F, AVX-512BW, AVX-512VL, AVX-512 VNNI, AVX-VNNI)"},
		{"Sapphire Rapids", "amd64", cpuinfoSPR, []string{"avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "amx_int8"},
			"amd64/intel-xeon-platinum/sapphirerapids/avx2+avx512f+avx512bw+avx512vl+avx512_vnni+avx_vnni+amx_int8",
			"Intel Xeon Platinum (Sapphire Rapids class, AVX2, AVX-512F, AVX-512BW, AVX-512VL, AVX-512 VNNI, AVX-VNNI, AMX-INT8)"},
		{"Alder Lake", "amd64", cpuinfoAlder, []string{"avx2", "avx_vnni"},
			"amd64/intel-core/alderlake/avx2+avx_vnni", "Intel Core (Alder Lake class, AVX2, AVX-VNNI)"},
		{"Graviton 2", "arm64", cpuinfoGraviton2, []string{"asimd", "asimddp"},
			"arm64/arm/neoversen1/asimd+asimddp", "Arm (Neoverse N1 class, NEON, dotprod)"},
		{"unknown x86 without AVX2", "amd64", cpuinfoUnknown, nil,
			"amd64/zhaoxin-kaixian/-/-", "ZHAOXIN KaiXian (no SIMD kernels)"},
		{"no cpuinfo", "arm64", "", []string{"asimd"}, "arm64/unknown-cpu/-/asimd", "unknown CPU (NEON)"},
		{"arm64 model name", "arm64", "model name\t: ARMv8 Processor rev 1 (v8l)\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n",
			[]string{"asimd", "asimddp"}, "arm64/arm/cortex-a76/asimd+asimddp", "Arm (Cortex-A76 class, NEON, dotprod)"},
		// macOS has no cpuinfo: detectCPU reads the brand from sysctl.
		{"Apple M2 Pro", "arm64", "model name\t: Apple M2 Pro\n", []string{"asimd", "asimddp", "i8mm"},
			"arm64/apple/m2/asimd+asimddp+i8mm", "Apple (M2 class, NEON, dotprod, i8mm)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := parseCPUInfo(tc.arch, tc.cpuinfo)
			id.Features = tc.features
			if got := id.classKey(); got != tc.key {
				t.Errorf("key %q, want %q", got, tc.key)
			}
			if got := id.className(); got != tc.heading {
				t.Errorf("heading %q, want %q", got, tc.heading)
			}
			if !sectionLine.MatchString("<!-- cpu: " + id.classKey() + " -->") {
				t.Errorf("key %q is not one parseReport reads", id.classKey())
			}
		})
	}
}

// TestDetectCPU checks that the features of this machine are named as
// cpuinfo names them and ordered as kernelFeatures lists them.
func TestDetectCPU(t *testing.T) {
	id := detectCPU()
	var names []string
	for _, f := range kernelFeatures[id.Arch] {
		names = append(names, f.name)
	}
	last := -1
	for _, f := range id.Features {
		i := slices.Index(names, f)
		if i <= last {
			t.Errorf("feature %q out of kernelFeatures order in %v", f, id.Features)
		}
		last = i
	}
	if !sectionLine.MatchString("<!-- cpu: " + id.classKey() + " -->") {
		t.Errorf("this machine's key %q is not one parseReport reads", id.classKey())
	}
}

func TestBrandFamily(t *testing.T) {
	for _, tc := range []struct{ brand, want string }{
		{"AMD EPYC 7B13", "AMD EPYC"},
		{"AMD EPYC 9R14 96-Core Processor", "AMD EPYC"},
		{"AMD Ryzen 9 7950X 16-Core Processor", "AMD Ryzen"},
		{"Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "Intel Xeon"},
		{"Intel(R) Xeon(R) Platinum 8488C", "Intel Xeon Platinum"},
		{"Apple M2 Pro", "Apple"},
		{"", "unknown CPU"},
		{"1234", "unknown CPU"},
	} {
		t.Run(tc.brand, func(t *testing.T) {
			if got := brandFamily(tc.brand); got != tc.want {
				t.Errorf("brandFamily(%q) = %q, want %q", tc.brand, got, tc.want)
			}
		})
	}
}

func TestLlamaVariant(t *testing.T) {
	const loaded = "load_backend: loaded CPU backend from /tmp/plume-llamacpp/bin/libggml-cpu-haswell.so\n"
	for _, tc := range []struct {
		name, stderr string
		variants     int
		want         string
	}{
		{"picked", "warning: x\n" + loaded, 8, "ggml-cpu variant `haswell` (picked by ggml at start-up among 8)"},
		{"forced", loaded, 1, "ggml-cpu variant `haswell` (forced: the only one beside llama-bench)"},
		{"silent", "", 8, "ggml-cpu variant not reported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := llamaVariant(tc.stderr, tc.variants); got != tc.want {
				t.Errorf("llamaVariant = %q, want %q", got, tc.want)
			}
		})
	}
}
