package workloads

import (
	"bufio"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"

	"github.com/seednet/p2p/bench/harness"
	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlp"
	"github.com/seednet/p2p/rlpx"
)

// Workload 6, idle peers: one hub Server holds many connected peers that
// send nothing but pongs. The hub runs in a process of its own, so that
// its figures are its own: the benchmark binary starts itself again with
// HubEnv set (see RunHubIfAsked), and the hub reports, as JSON lines on
// stdout, its address and then, when asked on stdin, the growth of its
// goroutines, heap and stack (HeapInuse + StackInuse, after a GC) and RSS
// (VmRSS, after returning freed memory to the OS) since before the peers
// came.
//
// The peers ("spokes") are not Servers but raw clients in the benchmark
// process, so that one process holds thousands of them cheaply: our rlpx
// handshake, a Hello announcing the hub's protocol, then a goroutine that
// answers pings (both hubs ping every 15 s and drop a peer silent for
// 30 s). The spokes connect from 127.0.0.2 to 127.0.0.9 in turn, to spread
// the ephemeral ports; loopback is exempt from both hubs' inbound
// throttle.

// HubEnv is the environment variable that makes a benchmark binary run as
// the hub of the idle-peers case; its value names the library ("ours" or
// "geth").
const HubEnv = "P2PBENCH_HUB"

// IdlePeers are the peer counts of the idle cases; the largest runs in
// full mode only.
var IdlePeers = []struct {
	N        int
	FullOnly bool
}{{1000, false}, {10000, true}}

// RunHubIfAsked runs the hub and exits if HubEnv is set, and otherwise
// does nothing. Binaries that run the idle cases (p2pbench, the tests)
// call it before anything else.
func RunHubIfAsked() {
	name := os.Getenv(HubEnv)
	if name == "" {
		return
	}
	if err := runHub(name, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "p2pbench hub:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// HubProfileEnv, if set in the benchmark's environment, makes each hub
// write a heap profile when it measures, to the file named by its value
// and the library ("<value>.ours", "<value>.geth").
const HubProfileEnv = "P2PBENCH_HUB_HEAPPROFILE"

func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// hubHello is the hub's first line on stdout.
type hubHello struct {
	Addr   string `json:"addr"`
	Pubkey string `json:"pubkey"` // hex, 65 bytes uncompressed
}

// hubReport is the hub's answer to "measure N": its peers and its growth.
type hubReport struct {
	Peers int         `json:"peers"`
	Mem   harness.Mem `json:"mem"`
}

// maxHubPeers is the hub's MaxPeers, above every case's peer count.
const maxHubPeers = 20000

// warmUpCrypto runs each library's secp256k1 operations once, so that
// tables built on first use (decred's precomputed multiples of the base
// point, about 1 MB) are in the baseline and not charged to the peers.
func warmUpCrypto() {
	k, err := crypto.GenerateKey()
	if err != nil {
		return
	}
	crypto.ECDH(k, &k.PublicKey)
	h := crypto.Keccak256([]byte("warm-up"))
	if sig, err := crypto.Sign(h, k); err == nil {
		crypto.SigToPub(h, sig)
	}
	if g, err := gethcrypto.GenerateKey(); err == nil {
		if sig, err := gethcrypto.Sign(h, g); err == nil {
			gethcrypto.SigToPub(h, sig)
		}
	}
}

func runHub(name string, in io.Reader, out io.Writer) error {
	lib, err := libraryNamed(name)
	if err != nil {
		return err
	}
	raiseFDLimit()
	if os.Getenv(HubProfileEnv) != "" {
		runtime.MemProfileRate = 1
	}
	idle := func(rw msgRW) error {
		for {
			if _, _, _, err := rw.read(nil); err != nil {
				return err
			}
		}
	}
	srv, err := lib.start(serverConfig{run: idle, maxPeers: maxHubPeers, noDial: true})
	if err != nil {
		return err
	}
	defer srv.stop()
	warmUpCrypto()
	before := processMem()
	enc := json.NewEncoder(out)
	if err := enc.Encode(hubHello{Addr: srv.addr().String(), Pubkey: hex.EncodeToString(srv.pubkey())}); err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		arg, ok := strings.CutPrefix(sc.Text(), "measure ")
		n, err := strconv.Atoi(arg)
		if !ok || err != nil {
			return fmt.Errorf("unknown command %q", sc.Text())
		}
		// Wait for the last Hellos to be processed; give up when the count
		// stops moving.
		last, lastChange := -1, time.Now()
		for {
			c := srv.peerCount()
			if c >= n || time.Since(lastChange) > 3*time.Second {
				break
			}
			if c != last {
				last, lastChange = c, time.Now()
			}
			time.Sleep(10 * time.Millisecond)
		}
		after := processMem()
		r := hubReport{Peers: srv.peerCount(), Mem: harness.Mem{
			Goroutines: after.Goroutines - before.Goroutines,
			HeapStack:  after.HeapStack - before.HeapStack,
			Stack:      after.Stack - before.Stack,
			RSS:        after.RSS - before.RSS,
		}}
		if file := os.Getenv(HubProfileEnv); file != "" {
			if err := writeHeapProfile(file + "." + name); err != nil {
				return err
			}
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return sc.Err()
}

// processMem measures this process after garbage collections (several, so
// that goroutine stacks grown during the handshakes shrink back as a long
// running node's would: each GC at most halves a stack) and returning
// freed memory to the OS.
func processMem() harness.Mem {
	for range 4 {
		runtime.GC()
	}
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return harness.Mem{
		Goroutines: int64(runtime.NumGoroutine()),
		HeapStack:  int64(ms.HeapInuse + ms.StackInuse),
		Stack:      int64(ms.StackInuse),
		RSS:        vmRSS(),
	}
}

// vmRSS returns VmRSS from /proc/self/status in bytes, or 0.
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// raiseFDLimit raises the soft limit of open files to the hard limit.
func raiseFDLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// idlePeersCases is workload 6.
func idlePeersCases() []harness.Case {
	var cases []harness.Case
	for _, ip := range IdlePeers {
		c := harness.Case{
			Name:     fmt.Sprintf("server/idle/%d", ip.N),
			Kind:     harness.KindMemory,
			FullOnly: ip.FullOnly,
			Check: func() error {
				for _, lib := range serverLibs {
					s, err := idleRun(lib.name, 2)(harness.Budget{})
					if err != nil {
						return fmt.Errorf("%s: %w", lib.name, err)
					}
					if s.Ops != 2 {
						return fmt.Errorf("%s: hub held %d of 2 peers", lib.name, s.Ops)
					}
				}
				return nil
			},
		}
		for _, lib := range serverLibs {
			c.Impls = append(c.Impls, harness.Impl{Name: lib.name, Run: idleRun(lib.name, ip.N)})
		}
		cases = append(cases, c)
	}
	return cases
}

// idleRun connects peers spokes (at most b.MaxOps, if set) to a new hub
// process and returns the hub's figures: Ops is the peers it held, Elapsed
// the time they took to connect.
func idleRun(lib string, peers int) func(harness.Budget) (harness.Sample, error) {
	return func(b harness.Budget) (harness.Sample, error) {
		n := peers
		if b.MaxOps > 0 {
			n = min(n, int(b.MaxOps))
		}
		raiseFDLimit()
		h, err := startHub(lib)
		if err != nil {
			return harness.Sample{}, err
		}
		defer h.close()
		start := time.Now()
		sp, err := connectSpokes(h.addr, h.pub, n)
		defer sp.close()
		if err != nil {
			return harness.Sample{}, err
		}
		elapsed := time.Since(start)
		r, err := h.measure(sp.count())
		if err != nil {
			return harness.Sample{}, err
		}
		if r.Peers == 0 {
			return harness.Sample{}, errors.New("the hub held no peers")
		}
		return harness.Sample{Ops: int64(r.Peers), Elapsed: elapsed, Mem: &r.Mem}, nil
	}
}

// hub is a hub process.
type hub struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *json.Decoder
	addr string
	pub  *ecdsa.PublicKey
}

func startHub(lib string) (*hub, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	h := &hub{cmd: exec.Command(exe)}
	h.cmd.Env = append(os.Environ(), HubEnv+"="+lib)
	if _, ok := os.LookupEnv("GORACE"); !ok {
		// A race-enabled binary (the tests) otherwise waits 1 s at exit.
		h.cmd.Env = append(h.cmd.Env, "GORACE=atexit_sleep_ms=0")
	}
	h.cmd.Stderr = os.Stderr
	if h.in, err = h.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	h.out = json.NewDecoder(stdout)
	if err := h.cmd.Start(); err != nil {
		return nil, err
	}
	var hello hubHello
	if err := h.read(&hello, 30*time.Second); err != nil {
		h.close()
		return nil, fmt.Errorf("hub %s: %w", lib, err)
	}
	key, err := hex.DecodeString(hello.Pubkey)
	if err == nil {
		h.pub, err = crypto.UnmarshalPubkey(key)
	}
	if err != nil {
		h.close()
		return nil, fmt.Errorf("hub %s: key: %w", lib, err)
	}
	h.addr = hello.Addr
	return h, nil
}

// read decodes the hub's next line into v; a hub that says nothing for
// timeout is killed.
func (h *hub) read(v any, timeout time.Duration) error {
	t := time.AfterFunc(timeout, func() { h.cmd.Process.Kill() })
	defer t.Stop()
	return h.out.Decode(v)
}

func (h *hub) measure(peers int) (hubReport, error) {
	var r hubReport
	if _, err := fmt.Fprintf(h.in, "measure %d\n", peers); err != nil {
		return r, err
	}
	err := h.read(&r, time.Minute)
	return r, err
}

// close ends the hub: it stops its server and exits when stdin closes.
func (h *hub) close() {
	h.in.Close()
	t := time.AfterFunc(time.Minute, func() { h.cmd.Process.Kill() })
	defer t.Stop()
	h.cmd.Wait()
}

// spokeHello is the Hello of a spoke: [5, name, [[cap, version]], port, key].
type spokeHello struct {
	Version    uint64
	Name       string
	Caps       []spokeCap
	ListenPort uint64
	ID         []byte
}

type spokeCap struct {
	Name    string
	Version uint64
}

// Base protocol message codes the spokes use.
const (
	helloMsg = 0x00
	discMsg  = 0x01
	pingMsg  = 0x02
	pongMsg  = 0x03
)

// spokes are connected raw clients and their ping-answering goroutines.
type spokes struct {
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// spokeWorkers is how many spokes connect at once.
const spokeWorkers = 32

// connectSpokes connects n spokes to the hub at addr. Spokes that fail
// are left out; it fails only if more than 1% of them did.
func connectSpokes(addr string, pub *ecdsa.PublicKey, n int) (*spokes, error) {
	sp := new(spokes)
	var (
		next     atomic.Int64
		failed   atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
	)
	for range min(spokeWorkers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := sp.connect(addr, pub, i); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		err := firstErr.Load().(error)
		if f*100 > int64(n) {
			return sp, fmt.Errorf("%d of %d spokes failed to connect, the first with: %w", f, n, err)
		}
		fmt.Fprintf(os.Stderr, "idle: %d of %d spokes failed to connect, the first with: %v\n", f, n, err)
	}
	return sp, nil
}

func (sp *spokes) connect(addr string, hubKey *ecdsa.PublicKey, i int) error {
	key, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	hello, err := rlp.EncodeToBytes(&spokeHello{
		Version: 5,
		Name:    "bench-spoke",
		Caps:    []spokeCap{{protoName, protoVersion}},
		ID:      crypto.FromECDSAPub(&key.PublicKey)[1:],
	})
	if err != nil {
		return err
	}
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%8))}}
	fd, err := d.Dial("tcp", addr)
	if err != nil {
		return err
	}
	fd.SetDeadline(time.Now().Add(20 * time.Second))
	c := rlpx.NewConn(fd, hubKey)
	if _, err := c.Handshake(key); err != nil {
		closeNow(fd)
		return fmt.Errorf("handshake: %w", err)
	}
	if _, err := c.Write(helloMsg, hello); err != nil {
		closeNow(fd)
		return fmt.Errorf("hello: %w", err)
	}
	code, data, _, err := c.Read()
	if err == nil && code != helloMsg {
		err = fmt.Errorf("got message %d (%x) instead of Hello", code, data)
	}
	if err != nil {
		closeNow(fd)
		return fmt.Errorf("hub's hello: %w", err)
	}
	c.SetSnappy(true)
	fd.SetDeadline(time.Time{})
	sp.mu.Lock()
	sp.conns = append(sp.conns, fd)
	sp.mu.Unlock()
	sp.wg.Add(1)
	go func() {
		defer sp.wg.Done()
		for {
			code, _, _, err := c.Read()
			if err != nil || code == discMsg {
				return
			}
			if code == pingMsg {
				if _, err := c.Write(pongMsg, []byte{0xC0}); err != nil {
					return
				}
			}
		}
	}()
	return nil
}

func (sp *spokes) count() int {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return len(sp.conns)
}

// close resets every spoke's connection and waits for their goroutines.
func (sp *spokes) close() {
	sp.mu.Lock()
	for _, c := range sp.conns {
		closeNow(c)
	}
	sp.conns = nil
	sp.mu.Unlock()
	sp.wg.Wait()
}
