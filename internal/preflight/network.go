package preflight

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"syscall"
)

// NetworkProblem says, in a sentence naming the host, what kept a request
// from reaching its service — a name that does not resolve, a refused
// connection, a proxy that cannot be reached, a certificate that is not
// trusted, a timeout — and false when err is not such a problem (an answer
// came). The sentence holds no query string, so no token or ID.
func NetworkProblem(err error) (string, bool) {
	if err == nil || errors.Is(err, context.Canceled) {
		return "", false
	}
	host := hostOf(err)
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		return "cannot reach the proxy " + addrOf(opErr.Err) + " (HTTPS_PROXY) on the way to " + host, true
	case errors.As(err, &dnsErr):
		return "cannot resolve " + dnsErr.Name + " (DNS): check the host name and the machine's DNS", true
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection to " + host + " refused: nothing listens there, or a firewall rejects it", true
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to " + host + ": check the network and firewall", true
	case errors.As(err, &unknownCA), errors.As(err, &verify), errors.As(err, &badHost):
		return "the TLS certificate of " + host + " is not trusted: a TLS-inspecting proxy needs its CA installed (SSL_CERT_FILE)", true
	case errors.Is(err, syscall.ECONNRESET):
		return "connection to " + host + " reset: a firewall or proxy may be cutting it", true
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "no answer from " + host + " in time: check the firewall and proxy (HTTPS_PROXY)", true
	}
	return "", false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// hostOf finds the host a failed request was for: from a *url.Error, else
// the address of a *net.OpError, else "the service".
func hostOf(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	if a := addrOf(err); a != "" {
		return a
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Name
	}
	return "the service"
}

// addrOf returns the remote address of the first *net.OpError in err's
// chain that has one (a proxyconnect error wraps the dial error that does).
func addrOf(err error) string {
	for err != nil {
		var opErr *net.OpError
		if !errors.As(err, &opErr) {
			return ""
		}
		if opErr.Addr != nil {
			return opErr.Addr.String()
		}
		err = opErr.Err
	}
	return ""
}
