package awsproto

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/rootward/rootward/internal/awserr"
)

// DecodeQuery decodes awsQuery parameters into v, a pointer to an operation's input struct, by the
// rules of the awsQuery protocol (Smithy, "AWS query protocol", "Query key resolution",
// https://smithy.io/2.0/aws/protocols/aws-query-protocol.html):
//
//   - a member is named by its field's `query` tag, else by the field's name ("UserName");
//   - a list of strings is Name.member.1, Name.member.2, … (a gap ends the list);
//   - a list of structures is Name.member.N.Field, a structure Name.Field, recursively;
//   - a map of strings is Name.entry.N.key and Name.entry.N.value;
//   - an embedded struct's members are its container's (shared members such as Marker/MaxItems).
//
// Field tags check what every client of the operation must respect, before anything is authorized:
// `required:"true"` (present and not empty, else AWS's "Value null at 'userName' failed to satisfy
// constraint: Member must not be null"), and `min:"N"`/`max:"N"` on integers. Numbers and booleans
// that do not parse are refused with the message AWS uses ("Member must be a number"). A member
// sent empty ("Name=") is absent for a plain field and the zero value for a pointer field, so an
// operation tells "not sent" (nil) from "sent empty" by declaring the member a pointer.
func DecodeQuery(p Params, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic("awsproto.DecodeQuery: v must be a pointer to a struct")
	}
	d := &queryDecoder{p: p, prefixes: map[string]bool{}}
	for k := range p {
		for i := strings.IndexByte(k, '.'); i >= 0; i = nextDot(k, i) {
			d.prefixes[k[:i+1]] = true
		}
	}
	return d.decodeStruct("", rv.Elem())
}

func nextDot(k string, i int) int {
	j := strings.IndexByte(k[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// queryDecoder holds the parameters and every prefix of their names that ends in a dot, so that
// whether a structure was sent is one lookup, not a scan of every parameter.
type queryDecoder struct {
	p        Params
	prefixes map[string]bool
}

func (d *queryDecoder) decodeStruct(prefix string, sv reflect.Value) error {
	st := sv.Type()
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			// An embedded struct's exported members are its container's, even when its type is
			// unexported (as in encoding/json).
			if err := d.decodeStruct(prefix, sv.Field(i)); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := f.Tag.Get("query")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		present, err := d.decodeField(prefix+name, name, f, sv.Field(i))
		if err != nil {
			return err
		}
		if !present && f.Tag.Get("required") == "true" {
			return MissingParam(name)
		}
	}
	return nil
}

// decodeField decodes one member at key and reports whether the request carried it (not empty).
func (d *queryDecoder) decodeField(key, name string, f reflect.StructField, fv reflect.Value) (bool, error) {
	p := d.p
	t := f.Type
	ptr := t.Kind() == reflect.Pointer
	if ptr {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String, reflect.Int, reflect.Int32, reflect.Int64, reflect.Bool:
		raw, ok := p[key]
		if !ok {
			return false, nil
		}
		if raw == "" {
			// Sent empty: a pointer member points to its type's zero value (an empty password is
			// a password the service refuses, not "no password"); a plain member stays zero. Either
			// way a required member counts as missing.
			if ptr {
				set(fv, reflect.New(t).Elem(), true)
			}
			return false, nil
		}
		val := reflect.New(t).Elem()
		if err := scalar(raw, name, f, val); err != nil {
			return true, err
		}
		set(fv, val, ptr)
		return true, nil
	case reflect.Slice:
		return d.decodeList(key, name, f, fv)
	case reflect.Map:
		if t.Key().Kind() != reflect.String || t.Elem().Kind() != reflect.String {
			panic("awsproto.DecodeQuery: only maps of strings are supported: " + f.Name)
		}
		m := reflect.MakeMap(t)
		for n := 1; ; n++ {
			entry := key + ".entry." + strconv.Itoa(n) + "."
			k, ok := p[entry+"key"]
			if !ok {
				break
			}
			m.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(p[entry+"value"]))
		}
		if m.Len() == 0 {
			return false, nil
		}
		set(fv, m, ptr)
		return true, nil
	case reflect.Struct:
		if !d.prefixes[key+"."] {
			return false, nil
		}
		val := reflect.New(t).Elem()
		if err := d.decodeStruct(key+".", val); err != nil {
			return true, err
		}
		set(fv, val, ptr)
		return true, nil
	}
	panic("awsproto.DecodeQuery: unsupported field type " + f.Type.String() + " of " + f.Name)
}

func (d *queryDecoder) decodeList(key, name string, f reflect.StructField, fv reflect.Value) (bool, error) {
	p := d.p
	elem := f.Type.Elem()
	list := reflect.MakeSlice(f.Type, 0, 0)
	for n := 1; ; n++ {
		member := key + ".member." + strconv.Itoa(n)
		v := reflect.New(elem).Elem()
		if elem.Kind() == reflect.Struct {
			if !d.prefixes[member+"."] {
				break
			}
			if err := d.decodeStruct(member+".", v); err != nil {
				return true, err
			}
		} else {
			raw, ok := p[member]
			if !ok {
				break
			}
			if err := scalar(raw, name, f, v); err != nil {
				return true, err
			}
		}
		list = reflect.Append(list, v)
	}
	if list.Len() == 0 {
		// An empty list is sent as the bare name with an empty value (Smithy, awsQuery: "an empty
		// list is serialized as Name="); it is present but empty.
		return false, nil
	}
	fv.Set(list)
	return true, nil
}

// scalar parses raw into val (a string, integer or boolean), checking the field's min/max tags.
func scalar(raw, name string, f reflect.StructField, val reflect.Value) error {
	switch val.Kind() {
	case reflect.String:
		val.SetString(raw)
	case reflect.Bool:
		switch strings.ToLower(raw) {
		case "true":
			val.SetBool(true)
		case "false":
			val.SetBool(false)
		default:
			return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", raw, lowerFirst(name))
		}
	default:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || val.OverflowInt(n) {
			return awserr.New(awserr.ValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a number", raw, lowerFirst(name))
		}
		if lo, ok := intTag(f, "min"); ok && n < lo {
			return Invalid(name, raw, "Member must have value greater than or equal to "+strconv.FormatInt(lo, 10))
		}
		if hi, ok := intTag(f, "max"); ok && n > hi {
			return Invalid(name, raw, "Member must have value less than or equal to "+strconv.FormatInt(hi, 10))
		}
		val.SetInt(n)
	}
	return nil
}

func intTag(f reflect.StructField, tag string) (int64, bool) {
	s, ok := f.Tag.Lookup(tag)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic("awsproto: bad " + tag + " tag on " + f.Name)
	}
	return n, true
}

func set(fv, val reflect.Value, ptr bool) {
	if ptr {
		p := reflect.New(val.Type())
		p.Elem().Set(val)
		fv.Set(p)
		return
	}
	fv.Set(val)
}
