package guardduty

import (
	"fmt"
	"math"
	"strings"
)

// The index "sorted" of findings serves ListFindings in every SortCriteria order: for each field a
// finding's value can differ in (sortFields), an entry "DETECTOR/FIELD/A/v" whose byte order is
// the field's ascending order and "DETECTOR/FIELD/D/v'" for descending (v' the complement of v).
// An entry's key is its value, NUL, then the record key DETECTOR/ID, so equal values follow by ID,
// ascending in both directions, as sortFindings orders ties. Fields every finding of a detector
// shares (the account, the region, the resource type…) order by ID alone: the "id" entries.

// sortFields are the fields with entries in the index "sorted".
var sortFields = []string{
	"id", "type", "severity", "updatedAt", "createdAt", "service.archived", "service.count",
	"service.eventFirstSeen", "service.eventLastSeen",
	"resource.accessKeyDetails.accessKeyId", "resource.accessKeyDetails.principalId",
	"service.action.awsApiCallAction.api", "service.action.awsApiCallAction.serviceName",
	"service.action.awsApiCallAction.errorCode", "service.action.awsApiCallAction.remoteIpDetails.ipAddressV4",
}

// sortedPrefix is the value prefix of the index "sorted" that lists detector's findings ordered by
// sort (nil: by creation, ascending). Returns BadRequestException for an unknown attribute or order.
func sortedPrefix(detector string, sort *Sort) (string, error) {
	name, order := "createdAt", ""
	if sort != nil {
		name, order = sort.AttributeName, sort.OrderBy
	}
	if _, ok := fields[name]; !ok {
		return "", badRequest(msgInvalid)
	}
	dir := "A"
	switch order {
	case "", "ASC":
	case "DESC":
		dir = "D"
	default:
		return "", badRequest(msgInvalid)
	}
	indexed := false
	for _, f := range sortFields {
		indexed = indexed || f == name
	}
	if !indexed {
		// The same value for every finding of the detector: ties, ordered by ID.
		name, dir = "id", "A"
	}
	return detector + "/" + name + "/" + dir + "/", nil
}

// sortedValues are r's entries of the index "sorted".
func sortedValues(account string, r *findingRecord) []string {
	out := make([]string, 0, 2*len(sortFields))
	for _, name := range sortFields {
		v := sortValue(fields[name], r, account)
		out = append(out, r.DetectorID+"/"+name+"/A/"+v, r.DetectorID+"/"+name+"/D/"+complement(v))
	}
	return out
}

// sortValue is r's value of f as bytes in f's order: a number or time as the 16 hex digits of its
// float64 bits with the sign bit flipped (all bits, for a negative number), whose byte order is
// numeric order; a string or a boolean ("false" < "true") as itself, a NUL (which an index value
// cannot hold) written as 0x01.
func sortValue(f field, r *findingRecord, account string) string {
	if f.kind == numberField || f.kind == timeField {
		return numberValue(f.num(r))
	}
	return stringValue(f.str(r, account))
}

// numberValue is a number as the 16 hex digits of its float64 bits with the sign bit flipped (all
// bits, for a negative number), whose byte order is numeric order.
func numberValue(n float64) string {
	b := math.Float64bits(n)
	if b>>63 == 1 {
		b = ^b
	} else {
		b |= 1 << 63
	}
	return fmt.Sprintf("%016x", b)
}

// stringValue is a string as an index value: itself, a NUL written as 0x01.
func stringValue(s string) string { return strings.ReplaceAll(s, "\x00", "\x01") }

// complement reverses the byte order of values: each byte b becomes 255-b, and 0xff ends the value
// so that a value sorts before the values it is a prefix of ("ab" before "a"). A value holds no
// 0xff byte (hex digits, or UTF-8 text, which never has one; other bytes of a client's text are
// kept as they are), so no complemented byte is NUL.
func complement(v string) string {
	b := make([]byte, len(v)+1)
	for i := 0; i < len(v); i++ {
		c := 255 - v[i]
		if c == 0 {
			c = 1
		}
		b[i] = c
	}
	b[len(v)] = 0xff
	return string(b)
}
