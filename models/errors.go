package models

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the business rules; the HTTP layer maps them to
// pages and problem+json answers.
var (
	ErrNotFound           = errors.New("not found")
	ErrEventNotOpen       = errors.New("this event is not open for registration")
	ErrRegistrationClosed = errors.New("registration for this event has closed")
	ErrNotYetOpen         = errors.New("registration for this event has not opened yet")
	ErrEventCancelled     = errors.New("this event has been cancelled")
	ErrFull               = errors.New("this event is full")
	ErrDuplicate          = errors.New("this email address already holds a registration for this event")
	ErrConflict           = errors.New("the record was changed by someone else")
)

// ValidationError maps field names to messages a person can act on.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid input: %d field(s)", len(e.Fields))
}

// Add records a message for field unless one is already there.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Err returns e when it holds messages, nil otherwise.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid is a ValidationError for one field.
func Invalid(field, msg string) error {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// CapacityError refuses lowering a capacity below the confirmed places.
type CapacityError struct {
	Attendance string
	Confirmed  int
	// Reserved is the places held for allocations (in person only).
	Reserved  int
	Requested int
}

func (e *CapacityError) Error() string {
	what := "in-person"
	if e.Attendance == Online {
		what = "online"
	}
	if e.Reserved > 0 {
		return fmt.Sprintf("%d %s places are already confirmed and %d more are reserved for communities: the %s capacity cannot be lowered to %d (at least %d)",
			e.Confirmed, what, e.Reserved, what, e.Requested, e.Confirmed+e.Reserved)
	}
	return fmt.Sprintf("%d %s places are already confirmed: the %s capacity cannot be lowered to %d", e.Confirmed, what, what, e.Requested)
}

// PlacesError refuses a party bigger than the free places of its attendance
// mode, when the registrant asked not to be waitlisted (IfFull "reject") or
// the event has no waitlist. Nothing is stored. It is ErrFull for errors.Is.
type PlacesError struct {
	Attendance string
	// PlacesLeft is how many places were free (0 when full).
	PlacesLeft int
	// Party is how many places the registration asked for.
	Party int
	// Waitlist says whether the event would have waitlisted the party.
	Waitlist bool
}

func (e *PlacesError) Error() string {
	if e.PlacesLeft == 0 {
		return "this event is full"
	}
	return fmt.Sprintf("only %d %s left for a party of %d", e.PlacesLeft, Plural(e.PlacesLeft, "place is", "places are"), e.Party)
}

// Is makes a PlacesError match ErrFull.
func (e *PlacesError) Is(target error) bool { return target == ErrFull }
