package nat

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestUPnPPermanentLeaseFallback: a router that refuses timed leases
// (UPnP error 725, OnlyPermanentLeasesSupported) gets a permanent one.
// miniupnpd, which the namespace tests run, accepts timed leases, so this
// one behaviour is checked against a minimal device description and
// control endpoint over real HTTP on loopback.
func TestUPnPPermanentLeaseFallback(t *testing.T) {
	var (
		mu     sync.Mutex
		leases []string
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/rootDesc.xml", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, testDescription)
	})
	mux.HandleFunc("/ctl/IPConn", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		action := r.Header.Get("SOAPAction")
		switch {
		case strings.Contains(action, "GetExternalIPAddress"):
			io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetExternalIPAddressResponse xmlns:u="`+wanIPConnV1+`"><NewExternalIPAddress>198.51.100.4</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>`)
		case strings.Contains(action, "AddPortMapping"):
			lease := between(string(body), "<NewLeaseDuration>", "</NewLeaseDuration>")
			mu.Lock()
			leases = append(leases, lease)
			mu.Unlock()
			if lease != "0" {
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>725</errorCode><errorDescription>OnlyPermanentLeasesSupported</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`)
				return
			}
			io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:AddPortMappingResponse xmlns:u="`+wanIPConnV1+`"/></s:Body></s:Envelope>`)
		default:
			http.Error(w, "unknown action", http.StatusBadRequest)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	loc, _ := url.Parse(srv.URL + "/rootDesc.xml")
	dev, err := newUPnP(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	port, err := dev.AddMapping("TCP", 30303, 30303, "test", 20*time.Minute)
	if err != nil || port != 30303 {
		t.Fatal(port, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(leases, ",") != "1200,0" {
		t.Fatalf("leases asked for: %v, want a timed one, then a permanent one", leases)
	}
}

func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, b)
	return v
}
