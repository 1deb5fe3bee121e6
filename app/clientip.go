package app

import (
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// proxies are the reverse proxies whose X-Forwarded-For names the client
// (TRUSTED_PROXIES), as address ranges.
type proxies []netip.Prefix

// parseProxies reads TRUSTED_PROXIES entries (validated by LoadConfig):
// addresses or CIDR ranges.
func parseProxies(list []string) proxies {
	var out proxies
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

func (ps proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address of the person behind a request, for rate limits
// and anything else that tells clients apart. Without trusted proxies, or
// when the connection does not come from one, it is the connection's
// address. Behind trusted proxies it walks X-Forwarded-For from the right
// (each proxy appends the address it received the request from) and takes
// the first address that is not a trusted proxy: everything to its left
// was written by the client and may be forged. (Fiber's c.IP() with a proxy
// header takes the leftmost entry, which the client chooses; so the app
// never sets one and c.IP() is the connection's address.)
func (a *App) clientIP(c *fiber.Ctx) string {
	remote, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.IP()
	}
	remote = remote.Unmap()
	if len(a.proxies) == 0 || !a.proxies.trusted(remote) {
		return remote.String()
	}
	var hops []string
	for _, h := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(h), ",")...)
	}
	nearest := remote // the nearest trusted hop seen so far
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseHop(hops[i])
		if !ok {
			// Not an address: whoever wrote it is beyond the trusted
			// proxies, so the nearest trusted hop stands for them (a made-up
			// value must not give a fresh rate-limit allowance each time).
			return nearest.String()
		}
		if !a.proxies.trusted(addr) {
			return addr.String()
		}
		nearest = addr
	}
	return nearest.String()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// rateKey is what rate limits count a client by: its address, or for IPv6
// the /64 network around it (an ISP hands each household or phone a whole
// /64, whose holder can take a fresh address for every request).
func (a *App) rateKey(c *fiber.Ctx) string {
	ip := a.clientIP(c)
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is6() {
		return ip
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
