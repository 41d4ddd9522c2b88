package hftok

import (
	"encoding/json"
	"fmt"
	"strings"
)

// post adds special tokens around one sequence: ids before and after it,
// with the type ids of each part.
type post struct {
	before, after         []int32
	typeBefore, typeAfter []int32
	typeSeq               int32
}

func (p *post) added() int { return len(p.before) + len(p.after) }

func parsePost(raw json.RawMessage) (*post, error) {
	if isNull(raw) {
		return &post{}, nil
	}
	var h struct {
		Type    string             `json:"type"`
		Sep     [2]json.RawMessage `json:"sep"`
		Cls     [2]json.RawMessage `json:"cls"`
		Single  []json.RawMessage  `json:"single"`
		Special map[string]struct {
			IDs []int32 `json:"ids"`
		} `json:"special_tokens"`
		Processors []json.RawMessage `json:"processors"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("post_processor: %w", err)
	}
	switch h.Type {
	case "BertProcessing", "RobertaProcessing":
		var sep, cls int32
		if err := json.Unmarshal(h.Sep[1], &sep); err != nil {
			return nil, fmt.Errorf("%s sep: %w", h.Type, err)
		}
		if err := json.Unmarshal(h.Cls[1], &cls); err != nil {
			return nil, fmt.Errorf("%s cls: %w", h.Type, err)
		}
		return &post{before: []int32{cls}, after: []int32{sep}, typeBefore: []int32{0}, typeAfter: []int32{0}}, nil
	case "ByteLevel":
		return &post{}, nil
	case "TemplateProcessing":
		p := &post{}
		seen := false
		for _, piece := range h.Single {
			var item struct {
				Special *struct {
					ID     string `json:"id"`
					TypeID int32  `json:"type_id"`
				} `json:"SpecialToken"`
				Sequence *struct {
					TypeID int32 `json:"type_id"`
				} `json:"Sequence"`
			}
			if err := json.Unmarshal(piece, &item); err != nil {
				return nil, fmt.Errorf("TemplateProcessing: %w", err)
			}
			switch {
			case item.Sequence != nil:
				seen = true
				p.typeSeq = item.Sequence.TypeID
			case item.Special != nil:
				tok, ok := h.Special[item.Special.ID]
				if !ok {
					return nil, fmt.Errorf("TemplateProcessing: special token %q has no ids", item.Special.ID)
				}
				for _, id := range tok.IDs {
					if seen {
						p.after, p.typeAfter = append(p.after, id), append(p.typeAfter, item.Special.TypeID)
					} else {
						p.before, p.typeBefore = append(p.before, id), append(p.typeBefore, item.Special.TypeID)
					}
				}
			}
		}
		return p, nil
	case "Sequence":
		// Only one processor in a sequence may add tokens (ByteLevel adds none).
		p := &post{}
		for _, r := range h.Processors {
			q, err := parsePost(r)
			if err != nil {
				return nil, err
			}
			if q.added() > 0 || q.typeSeq != 0 {
				p = q
			}
		}
		return p, nil
	}
	return nil, fmt.Errorf("unsupported post_processor %q", h.Type)
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}
