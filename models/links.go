package models

// The private addresses of registrations, built in this one place: the
// manage page (/r/), its calendar feed and an address's feed (/me/), the
// check-in code organisers scan, and a request's confirmation link. Each
// holds a secret (see Tokens): put them only where their owner reads them.

// ManagePath is the manage page of the registration whose token is token.
func ManagePath(token string) string { return "/r/" + token }

// CheckInPath is the organisers' check-in page of a check-in code.
func CheckInPath(code string) string { return "/admin/check-in/" + code }

// FeedPath is the private calendar feed of a feed token (a registration's
// or an address's).
func FeedPath(token string) string { return "/me/" + token + ".ics" }

// Links builds absolute private addresses for the site at Base.
type Links struct {
	Base   string // BASE_URL, without a trailing slash
	Tokens Tokens
}

// Manage is the registration's manage page.
func (l Links) Manage(r *Registration) string { return l.Base + ManagePath(l.Tokens.ManageToken(r)) }

// ManageToken is the manage page of a token as the holder presented it.
func (l Links) ManageToken(token string) string { return l.Base + ManagePath(token) }

// Confirm confirms a request's address (confirm_email and approval modes).
func (l Links) Confirm(r *Registration) string { return l.Manage(r) + "/confirm" }

// Feed is the registration's own calendar feed.
func (l Links) Feed(r *Registration) string { return l.Base + FeedPath(l.Tokens.FeedToken(r)) }

// FeedToken is the private feed of a feed token: a registration's
// (Tokens.FeedToken) or an address's (AttendeeFeedToken, only ever mailed
// to that address).
func (l Links) FeedToken(token string) string { return l.Base + FeedPath(token) }

// AllocationPath is an event page through an allocation's private code.
func AllocationPath(slug, code string) string { return "/events/" + slug + "?code=" + code }

// Allocation is the private link of an allocation's reserved places, for
// the organisers to share with its community.
func (l Links) Allocation(slug, code string) string { return l.Base + AllocationPath(slug, code) }

// CheckIn is the check-in page organisers open from the registration's code.
func (l Links) CheckIn(r *Registration) string {
	return l.Base + CheckInPath(l.Tokens.CheckInCode(r))
}
