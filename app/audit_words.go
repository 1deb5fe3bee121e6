package app

import (
	"strconv"
	"strings"

	"convene/models"
)

// The audit log in words: each activity becomes a sentence such as "Amira
// checked in Grace Okafor's party of 3". Names and other text people typed
// (titles, token names, subjects) are parts of their own, which the page
// isolates with <bdi>, so a name in Arabic or Hebrew cannot reorder the
// sentence around it.

// wordPart is a piece of an audit sentence; Typed parts are what people
// typed (names, titles), shown isolated.
type wordPart struct {
	Text  string
	Typed bool
}

// auditWords is an audit entry's sentence.
type auditWords []wordPart

// sentence builds a sentence from plain text and typed parts: typed
// values are passed as typed(v).
type typedText string

func sentence(parts ...any) auditWords {
	var out auditWords
	for _, p := range parts {
		switch v := p.(type) {
		case typedText:
			out = append(out, wordPart{Text: string(v), Typed: true})
		case auditWords:
			out = append(out, v...)
		case string:
			out = append(out, wordPart{Text: v})
		}
	}
	return out
}

// auditSubject names who did it: the account's name, else its address.
func auditSubject(e models.AuditEntry) any {
	switch {
	case e.UserName != "":
		return typedText(e.UserName)
	case e.UserEmail != "":
		return typedText(e.UserEmail)
	}
	return "Someone"
}

// regName names the registration, or says its details are gone.
func regName(e models.AuditEntry) auditWords {
	if e.RegName == "" || (e.RegPurgedAt != nil) {
		if e.RegistrationID == nil {
			return sentence("a registration")
		}
		return sentence("registration #" + strconv.FormatUint(uint64(*e.RegistrationID), 10) + " (details removed)")
	}
	return sentence(typedText(e.RegName))
}

// party is "Grace Okafor's party of 3", or "Grace Okafor" alone.
func party(e models.AuditEntry) auditWords {
	if e.RegGuests > 0 && !(e.RegPurgedAt != nil) && e.RegName != "" {
		return sentence(typedText(e.RegName), "’s party of "+strconv.Itoa(1+e.RegGuests))
	}
	return regName(e)
}

// possessive is "Grace Okafor’s".
func possessive(e models.AuditEntry) auditWords { return sentence(regName(e), "’s") }

// after is the part of a detail after its first ": ", or all of it.
func after(detail string) string {
	if _, rest, ok := strings.Cut(detail, ": "); ok {
		return rest
	}
	return detail
}

// statusWords turns "status draft → published" into what was done.
var statusWords = map[string]string{
	models.StatusPublished: "published the event",
	models.StatusCancelled: "cancelled the event",
	models.StatusPostponed: "postponed the event",
	models.StatusDraft:     "took the event back to draft",
}

// auditVerbs gives each kind of activity its sentence. TestEveryActivityHasASentence
// reads the source for every kind written and checks that it is here.
var auditVerbs = map[string]func(e models.AuditEntry, who any) auditWords{
	"added_by_organiser": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " added ", party(e), " ("+statusLabel(e.Detail)+")")
	},
	"approved": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " approved ", possessive(e), " request ("+statusLabel(after(e.Detail))+")")
	},
	"declined": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " declined ", possessive(e), " request")
	},
	"email_confirmed": func(e models.AuditEntry, _ any) auditWords {
		return sentence(regName(e), " confirmed their email address ("+statusLabel(after(e.Detail))+")")
	},
	"cancelled": func(e models.AuditEntry, who any) auditWords {
		if e.UserID == nil {
			return sentence(regName(e), " cancelled their registration")
		}
		return sentence(who, " cancelled ", possessive(e), " registration")
	},
	"cancellation_undone": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " undid the cancellation of ", possessive(e), " registration: now "+after(e.Detail))
	},
	"promoted": func(e models.AuditEntry, who any) auditWords {
		if e.UserID == nil {
			return sentence(party(e), " moved up from the waitlist into freed places")
		}
		return sentence(who, " moved ", party(e), " up from the waitlist")
	},
	"attendance_changed": func(e models.AuditEntry, _ any) auditWords {
		return sentence(regName(e), " switched "+strings.TrimPrefix(e.Detail, "attendance changed "))
	},
	"guests_changed": func(e models.AuditEntry, _ any) auditWords {
		return sentence(regName(e), " changed their number of guests ("+strings.TrimPrefix(e.Detail, "guests changed by ")+")")
	},
	"checked_in": func(e models.AuditEntry, who any) auditWords {
		if n, of, ok := strings.Cut(e.Detail, " of "); ok && n != of {
			return sentence(who, " checked in "+n+" of ", possessive(e), " party of "+of)
		}
		return sentence(who, " checked in ", party(e))
	},
	"check_in_undone": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " undid the check-in of ", party(e))
	},
	"capacity_changed": func(e models.AuditEntry, who any) auditWords {
		mode, change, _ := strings.Cut(e.Detail, " capacity ")
		place := "in-person"
		if mode == models.Online {
			place = "online"
		}
		return sentence(who, " changed the "+place+" places: "+change)
	},
	"event_created": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " created the event")
	},
	"event_changed": func(e models.AuditEntry, who any) auditWords {
		if rest, ok := strings.CutPrefix(e.Detail, "status "); ok {
			if _, to, ok := strings.Cut(rest, " → "); ok && statusWords[to] != "" {
				return sentence(who, " "+statusWords[to])
			}
		}
		return sentence(who, " changed the event")
	},
	"event_edited": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " edited the event ("+e.Detail+")")
	},
	"cover_changed": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " gave the event a new cover image ("+e.Detail+" pixels)")
	},
	"cover_described": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " described the cover image again")
	},
	"cover_removed": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " removed the cover image")
	},
	"event_duplicated": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " made this event as a copy of ", typedText(strings.TrimPrefix(e.Detail, "copied from ")))
	},
	"exported": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " exported "+e.Detail)
	},
	"message_sent": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " messaged registrants: ", typedText(e.Detail))
	},
	"message_test_sent": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " sent themselves a test of a message: ", typedText(e.Detail))
	},
	"door_assigned": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " added ", typedText(strings.TrimPrefix(e.Detail, "user ")), " to the door team")
	},
	"door_unassigned": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " removed ", typedText(strings.TrimPrefix(e.Detail, "user ")), " from the door team")
	},
	"signed_in":  func(e models.AuditEntry, who any) auditWords { return sentence(who, " signed in") },
	"signed_out": func(e models.AuditEntry, who any) auditWords { return sentence(who, " signed out") },
	"sign_in_failed": func(e models.AuditEntry, _ any) auditWords {
		return sentence("A sign-in failed (unknown account or wrong password)")
	},
	"password_changed": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " changed their password")
	},
	"user_invited": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " invited ", typedText(strings.TrimPrefix(e.Detail, "invited ")))
	},
	"invite_link_issued": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " made a new sign-in link for ", typedText(strings.TrimPrefix(e.Detail, "for ")))
	},
	"invite_accepted": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " accepted their invitation and chose a password")
	},
	"roles_changed": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " changed the roles of ", typedText(e.Detail))
	},
	"calendar_settings_changed": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " changed the calendar settings of ", typedText(e.Detail))
	},
	"calendar_feed_created": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " made a private calendar address")
	},
	"api_token_created": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " created the API token ", typedText(e.Detail))
	},
	"api_token_revoked": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " revoked the API token ", typedText(e.Detail))
	},
	"api_tokens_revoked": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, "’s API tokens were revoked: "+e.Detail)
	},
	"organisation_created": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " created the organisation ", typedText(e.Detail))
	},
	"organisation_changed": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " changed the organisation ", typedText(e.Detail))
	},
	"series_created": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " created the series ", typedText(e.Detail))
	},
	"series_changed": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " changed the series ", typedText(e.Detail))
	},
	"erased": func(e models.AuditEntry, who any) auditWords {
		if rest, ok := strings.CutPrefix(e.Detail, "an unconfirmed request deleted "); ok {
			return sentence(who, " deleted an unconfirmed request "+rest)
		}
		return sentence(who, " erased the personal data of ", regName(e), " "+strings.TrimPrefix(e.Detail, "personal data erased "))
	},
	"privacy_erased": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " erased an address’s data ("+e.Detail+")")
	},
	"allocation_added": func(e models.AuditEntry, who any) auditWords {
		label, rest := quotedLabel(e.Detail)
		return sentence(who, " reserved"+rest+" for ", typedText(label))
	},
	"allocation_changed": func(e models.AuditEntry, who any) auditWords {
		label, rest := quotedLabel(e.Detail)
		return sentence(who, " changed the places reserved for ", typedText(label), " (now"+rest+")")
	},
	"allocation_removed": func(e models.AuditEntry, who any) auditWords {
		label, _ := quotedLabel(e.Detail)
		return sentence(who, " removed the places reserved for ", typedText(label))
	},
	"allocation_released": func(e models.AuditEntry, who any) auditWords {
		label, rest := quotedLabel(e.Detail)
		if e.UserID == nil {
			return sentence("The places reserved for ", typedText(label), " were released at their time:"+rest)
		}
		return sentence(who, " released the places reserved for ", typedText(label), ":"+rest)
	},
	"allocation_link_mailed": func(e models.AuditEntry, who any) auditWords {
		label, _ := quotedLabel(e.Detail)
		return sentence(who, " emailed the private link of the places reserved for ", typedText(label), " to its contact")
	},
	"allocation_link_reissued": func(e models.AuditEntry, who any) auditWords {
		label, _ := quotedLabel(e.Detail)
		return sentence(who, " made a new private link for the places reserved for ", typedText(label), ": the old link no longer reserves places")
	},
	"privacy_exported": func(e models.AuditEntry, who any) auditWords {
		return sentence(who, " exported an address’s data ("+e.Detail+")")
	},
}

// quotedLabel splits an allocation activity's detail, `"Label": rest`,
// into the label and the rest (with its leading space).
func quotedLabel(detail string) (string, string) {
	q, err := strconv.QuotedPrefix(detail)
	if err != nil {
		return detail, ""
	}
	label, _ := strconv.Unquote(q)
	return label, strings.TrimPrefix(detail[len(q):], ":")
}

// auditSentence is an audit entry in words; an activity kind this build
// does not know (from a newer version) is still shown, plainly.
func auditSentence(e models.AuditEntry) auditWords {
	who := auditSubject(e)
	if f, ok := auditVerbs[e.Action]; ok {
		return f(e, who)
	}
	return sentence(who, ": "+strings.ReplaceAll(e.Action, "_", " "), typedText(" "+e.Detail))
}
