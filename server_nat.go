package p2p

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/nat"
)

// Port mappings: each lasts natLease and is renewed every natRenew, as
// go-ethereum does; a failed mapping is tried again after natRetry.
const (
	natLease = 20 * time.Minute
	natRenew = 15 * time.Minute
	natRetry = time.Minute
)

// NATInfo is the state of the server's port mappings, in NodeInfo.
type NATInfo struct {
	Method     string       `json:"method"`               // the nat.Interface, e.g. "UPnP(192.168.0.1:5000)"
	ExternalIP string       `json:"externalIP,omitempty"` // as the gateway reported it
	Mappings   []NATMapping `json:"mappings"`
	LastError  string       `json:"lastError,omitempty"` // of the last attempt that failed, "" after a success
}

// NATMapping is one port mapping.
type NATMapping struct {
	Protocol string    `json:"protocol"` // "TCP" or "UDP"
	Internal int       `json:"internal"`
	External int       `json:"external"` // 0 while not mapped
	Renewed  time.Time `json:"renewed"`  // when the mapping was last made
}

// natMapper keeps the server's ports mapped while it runs.
type natMapper struct {
	r     *serverRun
	iface nat.Interface

	mu    sync.Mutex // guards info
	info  NATInfo
	ports []*NATMapping // the entries of info.Mappings
}

// startNAT puts the external address in the record at once for ExtIP, and
// otherwise starts the goroutine that maps the listener's TCP port and
// discovery's UDP port.
func (r *serverRun) startNAT(tcp, udp int) {
	iface := r.srv.NAT
	if iface == nil {
		return
	}
	m := &natMapper{r: r, iface: iface, info: NATInfo{Method: iface.String()}}
	r.nat = m
	if ext, ok := iface.(nat.ExtIP); ok {
		if ip, ok := netip.AddrFromSlice(net.IP(ext)); ok {
			r.local.SetStaticIP(ip.Unmap())
			m.info.ExternalIP = ip.Unmap().String()
		}
		return
	}
	if tcp != 0 {
		m.ports = append(m.ports, &NATMapping{Protocol: "TCP", Internal: tcp})
	}
	if udp != 0 {
		m.ports = append(m.ports, &NATMapping{Protocol: "UDP", Internal: udp})
	}
	if len(m.ports) == 0 {
		return
	}
	r.wg.Add(1)
	go m.loop()
}

func (m *natMapper) loop() {
	defer m.r.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			if m.mapAll() {
				timer.Reset(natRenew)
			} else {
				timer.Reset(natRetry)
			}
		case <-m.r.ctx.Done():
			m.unmapAll()
			return
		}
	}
}

// mapAll makes or renews every mapping and puts the external endpoint in
// the local record. It reports whether all of them succeeded.
func (m *natMapper) mapAll() bool {
	log := m.r.srv.logger()
	ip, err := m.iface.ExternalIP()
	if err != nil {
		m.failed(err)
		log.Debug("NAT: no external address", "method", m.iface, "err", err)
		return false
	}
	ext, _ := netip.AddrFromSlice(ip)
	ext = ext.Unmap()
	ok := true
	for _, pm := range m.ports {
		port, err := m.iface.AddMapping(pm.Protocol, pm.Internal, pm.Internal, "seednet p2p", natLease)
		if err != nil {
			m.failed(err)
			log.Debug("NAT: mapping failed", "method", m.iface, "proto", pm.Protocol, "port", pm.Internal, "err", err)
			ok = false
			continue
		}
		m.mu.Lock()
		changed := pm.External != int(port)
		pm.External, pm.Renewed = int(port), time.Now()
		m.mu.Unlock()
		if changed {
			log.Info("NAT: port mapped", "method", m.iface, "proto", pm.Protocol, "internal", pm.Internal, "external", port, "ip", ext)
		}
		switch pm.Protocol {
		case "TCP":
			m.r.local.Set(enr.TCP(port))
		case "UDP":
			m.r.local.SetFallbackUDP(int(port))
		}
	}
	if ext.IsValid() && !ext.IsUnspecified() {
		m.r.local.SetStaticIP(ext)
	}
	m.mu.Lock()
	m.info.ExternalIP = ext.String()
	m.info.Method = m.iface.String()
	if ok {
		m.info.LastError = ""
	}
	m.mu.Unlock()
	return ok
}

func (m *natMapper) failed(err error) {
	m.mu.Lock()
	m.info.LastError = err.Error()
	m.mu.Unlock()
}

// unmapAll deletes the mappings, at Stop, all at once: each request
// gives up after a few seconds when the gateway does not answer.
func (m *natMapper) unmapAll() {
	var wg sync.WaitGroup
	for _, pm := range m.ports {
		m.mu.Lock()
		ext := pm.External
		m.mu.Unlock()
		if ext == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.iface.DeleteMapping(pm.Protocol, ext, pm.Internal); err != nil {
				m.r.srv.logger().Debug("NAT: deleting mapping failed", "proto", pm.Protocol, "port", ext, "err", err)
			}
		}()
	}
	wg.Wait()
}

// snapshot returns the state for NodeInfo.
func (m *natMapper) snapshot() *NATInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	info := m.info
	info.Mappings = make([]NATMapping, len(m.ports))
	for i, pm := range m.ports {
		info.Mappings[i] = *pm
	}
	return &info
}
