package commands

import (
	"encoding/json"
	"slices"
)

// planJSON is a Plan as kept while its card waits for confirmation (in a
// database shared by replicas): every field, including who came in through
// a group or channel.
type planJSON struct {
	UserIDs []string  `json:"user_ids,omitempty"`
	Direct  int       `json:"direct,omitempty"`
	Skipped []Skipped `json:"skipped,omitempty"`
	Brought []string  `json:"brought,omitempty"`
}

// MarshalJSON writes the plan with everything InvitePlanned needs.
func (p Plan) MarshalJSON() ([]byte, error) {
	j := planJSON{UserIDs: p.UserIDs, Direct: p.Direct, Skipped: p.Skipped}
	for id, ok := range p.brought {
		if ok {
			j.Brought = append(j.Brought, id)
		}
	}
	slices.Sort(j.Brought)
	return json.Marshal(j)
}

// UnmarshalJSON reads a plan written by MarshalJSON.
func (p *Plan) UnmarshalJSON(b []byte) error {
	var j planJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Plan{UserIDs: j.UserIDs, Direct: j.Direct, Skipped: j.Skipped}
	if len(j.Brought) > 0 {
		p.brought = make(map[string]bool, len(j.Brought))
		for _, id := range j.Brought {
			p.brought[id] = true
		}
	}
	return nil
}
