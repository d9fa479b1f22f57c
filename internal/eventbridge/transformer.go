package eventbridge

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// InputTransformer is a target's InputTransformer (EventBridge API Reference, InputTransformer;
// EventBridge User Guide, "Amazon EventBridge input transformation"): variables read from the
// event by JSON path (InputPathsMap) and a template whose <variable> placeholders they fill.
type InputTransformer struct {
	PathsMap map[string]string `json:"paths,omitempty"`
	Template string            `json:"template"`
}

// Quotas and constraints of InputTransformer (API Reference, InputTransformer): at most 100
// variables, names of at most 256 characters of [A-Za-z0-9_-], paths of at most 256 characters, a
// template of 1 to 8192 characters.
const (
	MaxInputPaths         = 100
	maxInputPathKey       = 256
	maxInputPathValue     = 256
	MaxInputTemplate      = 8192
	reservedVariablesHint = "aws.events.rule-arn, aws.events.rule-name, aws.events.event, aws.events.event.ingestion-time, aws.events.event.json"
)

var inputPathKey = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// reservedVariables are the predefined variables a template may use without defining them, and
// which InputPathsMap may not define (User Guide, "Predefined variables").
var reservedVariables = []string{"aws.events.rule-arn", "aws.events.rule-name", "aws.events.event",
	"aws.events.event.ingestion-time", "aws.events.event.json"}

// placeholder is <name> in a template: a variable or a predefined one.
var placeholder = regexp.MustCompile(`<([A-Za-z0-9_\-.]+)>`)

// CheckTransformer checks a target's InputTransformer as PutTargets does: the variables' names,
// count and paths, and a template that is valid JSON once filled when it is JSON (starts with { or
// [), with no placeholder as an object key. It returns ValidationException. AWS documents the
// constraints but not its messages; these are Rootward's.
func CheckTransformer(targetID string, t *InputTransformer) error {
	if len(t.PathsMap) > MaxInputPaths {
		return awserr.New(CodeValidation, "InputPathsMap for target %s has %d entries; at most %d are allowed.", targetID, len(t.PathsMap), MaxInputPaths)
	}
	for k, v := range t.PathsMap {
		switch {
		case slices.Contains(reservedVariables, k) || strings.HasPrefix(k, "aws.events."):
			return awserr.New(CodeValidation, "InputPathsMap for target %s defines %s, a reserved variable (%s).", targetID, k, reservedVariablesHint)
		case len(k) > maxInputPathKey || !inputPathKey.MatchString(k):
			return awserr.New(CodeValidation, "InputPathsMap for target %s has an invalid key %q: keys are 1 to 256 letters, digits, '_' or '-'.", targetID, k)
		case len(v) > maxInputPathValue || !ValidInputPath(v):
			return awserr.New(CodeValidation, "InputPathsMap for target %s has an invalid JSON path for key %s.", targetID, k)
		}
	}
	if n := len(t.Template); n < 1 || n > MaxInputTemplate {
		return awserr.New(CodeValidation, "InputTemplate for target %s must be between 1 and %d characters long.", targetID, MaxInputTemplate)
	}
	if jsonTemplate(t.Template) {
		// Filled with placeholders' stand-ins (null outside strings, nothing inside), a JSON
		// template must be valid JSON: a placeholder as an object key is not.
		if !json.Valid(fill(t.Template, t.defines, func(string) (any, bool) { return nil, false }, true)) {
			return awserr.New(CodeValidation, "InputTemplate for target %s is not valid JSON (a placeholder cannot be an object key).", targetID)
		}
	}
	return nil
}

// jsonTemplate reports whether a template is JSON (an object or an array), whose placeholders
// outside strings take JSON values; any other template is text.
func jsonTemplate(t string) bool {
	t = strings.TrimSpace(t)
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// defines reports whether a placeholder's name is a variable of t or a predefined one.
func (t *InputTransformer) defines(name string) bool {
	_, ok := t.PathsMap[name]
	return ok || slices.Contains(reservedVariables, name)
}

// fill replaces the template's placeholders of defined variables by their values (lookup; other
// <…> text is left as written). In a JSON template a value outside a string is written as JSON (a string
// quoted, a missing variable null); inside a string, and in a text template, a string is written
// as it is (EventBridge "doesn't escape values extracted by Input Path") and any other value as
// JSON text, a missing variable as nothing.
func fill(template string, defined func(name string) bool, lookup func(name string) (any, bool), asJSON bool) []byte {
	var out strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(template); {
		c := template[i]
		if asJSON && inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		} else if asJSON && c == '"' {
			inString = true
		}
		if c == '<' {
			if m := placeholder.FindStringSubmatchIndex(template[i:]); m != nil && m[0] == 0 {
				name := template[i+m[2] : i+m[3]]
				if defined(name) {
					v, found := lookup(name)
					out.WriteString(render(v, found, asJSON && !inString))
					i += m[1]
					continue
				}
			}
		}
		out.WriteByte(c)
		i++
	}
	return []byte(out.String())
}

// render writes a variable's value at its place: as a JSON value, or as text.
func render(v any, found, asValue bool) string {
	if !found {
		if asValue {
			return "null"
		}
		return ""
	}
	if s, ok := v.(string); ok && !asValue {
		return s
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// applyTransformer is what a target with an InputTransformer receives for an event: body its
// JSON, decoded the same decoded, ruleARN and ruleName the rule that matched.
func applyTransformer(t *InputTransformer, body []byte, decoded any, ruleARN, ruleName string) []byte {
	lookup := func(name string) (any, bool) {
		switch name {
		case "aws.events.rule-arn":
			return ruleARN, true
		case "aws.events.rule-name":
			return ruleName, true
		case "aws.events.event.ingestion-time":
			return fieldString(decoded, "time") // Rootward puts an event on the bus as it is recorded
		case "aws.events.event.json":
			return json.RawMessage(body), true
		case "aws.events.event":
			// The event without its detail (User Guide, "Predefined variables").
			m, ok := decoded.(map[string]any)
			if !ok {
				return nil, false
			}
			rest := make(map[string]any, len(m))
			for k, v := range m {
				if k != "detail" {
					rest[k] = v
				}
			}
			return rest, true
		}
		path, ok := t.PathsMap[name]
		if !ok {
			return nil, false
		}
		return jsonPath(decoded, path)
	}
	return fill(t.Template, t.defines, lookup, jsonTemplate(t.Template))
}
