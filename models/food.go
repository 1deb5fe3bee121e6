package models

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Food: an event asks about dietary requirements unless its organisers
// turned the question off (an outdoor vigil serves nothing); when it asks,
// it asks each person of an in-person party, the registrant
// (Registration.Dietary and DietaryOther) and every guest
// (Registration.GuestDietary), so that the caterers' counts are right: a
// party of three with one halal choice is one halal meal, not three.

// PersonDiet is one guest's dietary requirement: one of DietaryChoices, or
// "" when not stated, with details (required for "other").
type PersonDiet struct {
	Dietary string `json:"dietary"`
	Other   string `json:"dietary_other,omitempty"`
}

// DietOther is the choice whose details are required.
const DietOther = "other"

// AsksDietary reports whether the event asks about food: only for places in
// person, and not when its organisers turned the question off.
func (e *Event) AsksDietary() bool { return e.InPerson && !e.SkipDietary }

// GuestDiets are the dietary requirements stated for the guests, in order;
// fewer than Guests when some were not stated.
func (r *Registration) GuestDiets() []PersonDiet {
	var out []PersonDiet
	if r.GuestDietary != "" {
		_ = json.Unmarshal([]byte(r.GuestDietary), &out)
	}
	if len(out) > r.Guests {
		out = out[:r.Guests]
	}
	return out
}

// PartyDiets are the dietary requirements of every person of the party:
// the registrant first, then each guest ("" when not stated).
func (r *Registration) PartyDiets() []PersonDiet {
	out := make([]PersonDiet, 0, r.Places())
	out = append(out, PersonDiet{Dietary: r.Dietary, Other: r.DietaryOther})
	out = append(out, r.GuestDiets()...)
	for len(out) < r.Places() {
		out = append(out, PersonDiet{})
	}
	return out
}

// encodeGuestDiets stores guest diets as JSON, "[]" for none.
func encodeGuestDiets(diets []PersonDiet) string {
	if len(diets) == 0 {
		return "[]"
	}
	b, err := json.Marshal(diets)
	if err != nil {
		return "[]" // a slice of plain strings always marshals
	}
	return string(b)
}

// validateFood checks and normalises the dietary answers of in against ev:
// none are kept when the event does not ask (or the place is online), each
// choice must be one of DietaryChoices, "other" needs details, and there is
// at most one guest answer per guest (trailing empty ones are dropped).
func validateFood(ev *Event, in *RegisterInput, v *ValidationError) {
	in.Dietary = strings.TrimSpace(in.Dietary)
	in.DietaryOther = strings.TrimSpace(in.DietaryOther)
	for i := range in.GuestDietary {
		in.GuestDietary[i].Dietary = strings.TrimSpace(in.GuestDietary[i].Dietary)
		in.GuestDietary[i].Other = strings.TrimSpace(in.GuestDietary[i].Other)
	}
	if !ev.AsksDietary() || in.Attendance == Online {
		in.Dietary, in.DietaryOther, in.GuestDietary = "", "", nil
		return
	}
	checkDiet(PersonDiet{in.Dietary, in.DietaryOther}, "dietary", "dietary_other", "", v)
	for len(in.GuestDietary) > 0 && in.GuestDietary[len(in.GuestDietary)-1] == (PersonDiet{}) {
		in.GuestDietary = in.GuestDietary[:len(in.GuestDietary)-1]
	}
	for i, d := range in.GuestDietary {
		field := fmt.Sprintf("guest_dietary.%d.", i)
		if i >= in.Guests && in.Guests >= 0 {
			v.Add(field+"dietary", fmt.Sprintf("You are bringing %d %s: leave guest %d's requirement empty, or change the number of guests",
				in.Guests, Plural(in.Guests, "guest", "guests"), i+1))
			continue
		}
		checkDiet(d, field+"dietary", field+"dietary_other", fmt.Sprintf("guest %d's", i+1), v)
	}
}

// checkDiet checks one person's requirement; whose names them in messages
// ("" for the registrant).
func checkDiet(d PersonDiet, field, otherField, whose string, v *ValidationError) {
	if !CleanText(d.Dietary) {
		v.Add(field, "Remove the invisible or broken characters from this answer")
	}
	if !CleanText(d.Other) {
		v.Add(otherField, "Remove the invisible or broken characters from this answer")
	}
	if d.Dietary != "" && !contains(DietaryChoices, d.Dietary) {
		v.Add(field, "Choose one of the dietary options")
	}
	switch {
	case d.Dietary == DietOther && d.Other == "":
		if whose == "" {
			v.Add(otherField, "Tell us your dietary requirement, or choose another option")
		} else {
			v.Add(otherField, "Tell us "+whose+" dietary requirement, or choose another option")
		}
	case len([]rune(d.Other)) > 200:
		v.Add(otherField, "Dietary details must be 200 characters or fewer")
	}
}

// dietKey is the catering line of a choice: DietNotStated for none.
func dietKey(d string) string {
	if d == "" {
		return DietNotStated
	}
	return d
}
