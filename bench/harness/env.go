package harness

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Env describes where and how a report was made.
type Env struct {
	CPU        string `json:"cpu"`
	Cores      int    `json:"cores"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	GoVersion  string `json:"go_version"`
	Date       string `json:"date"`
	Command    string `json:"command"`
	CGO        bool   `json:"cgo"`
	Tags       string `json:"tags"`
	// Ours and Geth say which implementation each side is built with
	// (secp256k1 backend, module version); the program fills them in.
	Ours string `json:"ours"`
	Geth string `json:"geth"`
}

// CollectEnv describes this machine and this binary.
func CollectEnv() Env {
	e := Env{
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		GoVersion:  runtime.Version(),
		Date:       time.Now().UTC().Format(time.RFC3339),
		Command:    strings.Join(os.Args, " "),
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "CGO_ENABLED":
				e.CGO = s.Value == "1"
			case "-tags":
				e.Tags = s.Value
			}
		}
	}
	return e
}

// ModuleVersion returns the version of module path linked into this binary,
// or "" if it is not.
func ModuleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			return d.Version
		}
	}
	return ""
}

// HasTag reports whether the binary was built with build tag t.
func (e Env) HasTag(t string) bool {
	for _, x := range strings.Split(e.Tags, ",") {
		if x == t {
			return true
		}
	}
	return false
}

// cpuModel reads the first "model name" from /proc/cpuinfo, or returns
// GOARCH where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
