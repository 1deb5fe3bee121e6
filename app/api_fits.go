package app

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// registrationFits is the RegistrationInput schema of openapi.json written
// in Go, for bodies that fit it (bodySpec.fits). It must never accept what
// the schema refuses: TestRegistrationFitsMatchesSchema holds it to the
// schema on every field, and FuzzRegistrationFits on any body. What it does
// not take (a guests of 1.0, say) goes to the schema, which takes it or names
// the problem.
func registrationFits(obj map[string]any, dst any) bool {
	b := dst.(*registrationBody)
	var out registrationBody
	if _, ok := obj["name"]; !ok {
		return false
	}
	if _, ok := obj["email"]; !ok {
		return false
	}
	if _, ok := obj["consent"]; !ok {
		return false
	}
	for k, v := range obj {
		ok := false
		switch k {
		case "name":
			out.Name, ok = text(v, 1, 200)
		case "email":
			out.Email, ok = text(v, 0, 254)
		case "guests":
			out.Guests, ok = wholeNumber(v, 0, 50)
		case "attendance":
			out.Attendance, ok = choice(v, "in_person", "online")
		case "answers":
			out.Answers, ok = answersFit(v)
		case "dietary":
			out.Dietary, ok = choice(v, "", "none", "vegetarian", "vegan", "halal", "kosher", "other")
		case "dietary_other":
			out.DietaryOther, ok = text(v, 0, 200)
		case "access_needs":
			out.AccessNeeds, ok = text(v, 0, 2000)
		case "consent":
			out.Consent, ok = v.(bool)
		case "if_full":
			out.IfFull, ok = choice(v, "waitlist", "reject")
		}
		if !ok {
			return false
		}
	}
	*b = out
	return true
}

// text is v when it is a string of min to max characters.
func text(v any, min, max int) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	n := utf8.RuneCountInString(s)
	return s, n >= min && n <= max
}

// choice is v when it is one of the strings of an enum.
func choice(v any, enum ...string) (string, bool) {
	s, ok := v.(string)
	return s, ok && slices.Contains(enum, s)
}

// wholeNumber is v when it is written as a whole number (digits only: 1.0
// and 1e0 are left to the schema) from min to max.
func wholeNumber(v any, min, max int) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(string(n))
	return i, err == nil && i >= min && i <= max
}

// answersFit reads answers as json.Unmarshal would into map[string]any:
// strings, true/false, numbers (float64), lists of strings, null.
func answersFit(v any) (map[string]any, bool) {
	in, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]any, len(in))
	for k, a := range in {
		switch x := a.(type) {
		case string, bool, nil:
			out[k] = x
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			if err != nil {
				return nil, false
			}
			out[k] = f
		case []any:
			for _, item := range x {
				if _, ok := item.(string); !ok {
					return nil, false
				}
			}
			out[k] = x
		default:
			return nil, false
		}
	}
	return out, true
}
