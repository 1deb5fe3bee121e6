package calendar

import (
	"strings"
	"time"
)

// Clock writes a time of day the one way Convene's pages, mails and feeds
// do: "7pm", "5:19pm". It formats t as it is; put it in the right zone
// first.
func Clock(t time.Time) string {
	if t.Minute() == 0 {
		return strings.ToLower(t.Format("3pm"))
	}
	return strings.ToLower(t.Format("3:04pm"))
}
